# An eof_received that returns True keeps the transport open for writing: the protocol answers after the peer's EOF, then closes.
import asyncio


class Counter(asyncio.Protocol):
    def __init__(self, lost):
        self.lost, self.count = lost, 0

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.count += len(data)

    def eof_received(self):
        print("server: eof after", self.count, "bytes")
        asyncio.get_running_loop().call_soon(self.answer)
        return True

    def answer(self):
        self.transport.write(b"%d bytes" % self.count)
        self.transport.close()
        print("server: closing", self.transport.is_closing())

    def connection_lost(self, exc):
        print("server: lost", exc)
        self.lost.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    lost = loop.create_future()
    server = await loop.create_server(lambda: Counter(lost), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"twelve bytes")
    writer.write_eof()
    answer = await reader.read()
    await lost
    print("client got", answer.decode())
    writer.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
