# pause_reading stops data_received until resume_reading; what arrived meanwhile is delivered then.
import asyncio


class Paused(asyncio.Protocol):
    def __init__(self, made, got):
        self.made, self.got = made, got

    def connection_made(self, transport):
        self.transport = transport
        transport.pause_reading()
        print("server: paused, reading", transport.is_reading())
        self.made.set_result(transport)

    def data_received(self, data):
        print("server: data", data.decode())
        self.got.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    made, got = loop.create_future(), loop.create_future()
    server = await loop.create_server(lambda: Paused(made, got), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    transport = await made
    writer.write(b"while paused")
    await writer.drain()
    await asyncio.sleep(0.05)
    print("after 50 ms: delivered", got.done())
    transport.resume_reading()
    print("resumed, reading", transport.is_reading())
    await got
    transport.close()
    writer.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
