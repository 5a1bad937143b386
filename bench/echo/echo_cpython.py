"""The CPython asyncio streams echo server of bench/echo.

It listens on 127.0.0.1 (port 0: any free port), prints "listening HOST:PORT"
on standard output, echoes whatever each connection sends, and exits when
its standard input ends. Written for bench/echo; run with python3 3.11.
"""
import asyncio
import os
import sys


async def handle(reader, writer):
    try:
        while True:
            data = await reader.read(16384)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"listening {host}:{port}", flush=True)
    # Serve until standard input ends (the benchmark closes it), watched by
    # the loop itself: no thread, which would contend for the GIL.
    loop = asyncio.get_running_loop()
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
