"""The CPython asyncio Protocol echo server of bench/echo.

It listens on 127.0.0.1 (port 0: any free port), prints "listening HOST:PORT"
on standard output, echoes whatever each connection sends, with a
Protocol's data_received and no task per connection (loop.create_server),
and exits when its standard input ends. Written for bench/echo; run with
python3 3.11.
"""
import asyncio
import os
import sys


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", 0, backlog=4096)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"listening {host}:{port}", flush=True)
    done = loop.create_future()

    def stdin_readable():
        if not os.read(sys.stdin.fileno(), 4096) and not done.done():
            done.set_result(None)

    loop.add_reader(sys.stdin.fileno(), stdin_readable)
    await done
    loop.remove_reader(sys.stdin.fileno())
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
