# A Protocol server's callbacks come in order (connection_made, data_received, eof_received, connection_lost), and an eof_received that returns a false value closes the transport.
import asyncio


class Recorder(asyncio.Protocol):
    def __init__(self, log, lost):
        self.log, self.lost = log, lost

    def connection_made(self, transport):
        self.transport = transport
        self.log.append("made, reading " + str(transport.is_reading()))

    def data_received(self, data):
        self.log.append("data " + data.decode())
        self.transport.write(data.upper())

    def eof_received(self):
        self.log.append("eof")

    def connection_lost(self, exc):
        self.log.append("lost " + str(exc) + ", closing " + str(self.transport.is_closing()))
        self.lost.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    log = []
    lost = loop.create_future()
    server = await loop.create_server(lambda: Recorder(log, lost), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"hello")
    print("client got", (await reader.readexactly(5)).decode())
    writer.write_eof()
    print("then", len(await reader.read()), "bytes: the server closed")
    await lost
    for line in log:
        print("server:", line)
    writer.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
