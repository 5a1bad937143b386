# gather(..., return_exceptions=True) puts each task's exception, or CancelledError for a cancelled one, in its place among the results.
# MicroPython test: asyncio_gather.py
# CPython differs: CPython's repr of the CancelledError of a cancelled task is CancelledError('').
import asyncio


async def ok(n):
    print("ok", n, "start")
    await asyncio.sleep(0.1)
    print("ok", n, "end")
    return n


async def bad(n):
    print("bad", n, "start")
    await asyncio.sleep(0.02)
    print("bad", n, "raises")
    raise ValueError("bad", n)


async def main():
    ts = [asyncio.create_task(ok(1)), asyncio.create_task(ok(2))]
    ts[0].cancel()
    print(await asyncio.gather(*ts, return_exceptions=True))
    print("--")
    ts = [asyncio.create_task(ok(3)), asyncio.create_task(bad(4))]
    print(await asyncio.gather(*ts, return_exceptions=True))


asyncio.run(main())
