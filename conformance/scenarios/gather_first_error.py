# Without return_exceptions, gather raises the first exception as soon as it happens and leaves the other tasks running.
# MicroPython test: asyncio_gather.py
import asyncio


async def ticker(name):
    print(name, "start")
    while True:
        await asyncio.sleep(0.2)
        print(name, "tick")


async def bad(n, s):
    print("bad", n, "start")
    await asyncio.sleep(s)
    print("bad", n, "raises")
    raise ValueError("bad", n)


async def main():
    ts = [asyncio.create_task(ticker("ticker")), asyncio.create_task(bad(1, 0.3))]
    try:
        await asyncio.gather(*ts)
    except ValueError as er:
        print("gather raised", repr(er))
    print("done:", ts[0].done(), ts[1].done())
    ts[0].cancel()
    await asyncio.sleep(0.01)
    print("ticker done:", ts[0].done())
    print("--")
    ts = [asyncio.create_task(bad(2, 0)), asyncio.create_task(bad(3, 0))]
    try:
        await asyncio.gather(*ts)
    except ValueError as er:
        print("gather raised", repr(er))
    print("done:", ts[0].done(), ts[1].done())


asyncio.run(main())
