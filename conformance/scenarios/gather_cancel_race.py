# A task in gather is cancelled just as its gathered tasks start or finish: the outcome for each moment.
# MicroPython test: asyncio_gather.py
# CPython differs: CPython cancels the gathered tasks at once, so those not started never run and the others stop at their next await; MicroPython's gathering task cancels them only when it next runs, so they may start, or even finish, first.
import asyncio


async def quick(n):
    print("quick", n, "start")
    await asyncio.sleep(0)
    print("quick", n, "end")
    return n


async def gatherer(k):
    print("gatherer", k, "start")
    try:
        r = await asyncio.gather(quick(k * 10 + 1), quick(k * 10 + 2))
        print("gatherer", k, "got", r)
    except asyncio.CancelledError:
        print("gatherer", k, "cancelled")


async def main():
    for k in range(1, 4):
        t = asyncio.create_task(gatherer(k))
        for _ in range(k):
            await asyncio.sleep(0)
        print("cancel after", k, "turns")
        t.cancel()
        await asyncio.sleep(0.02)
        print("--")


asyncio.run(main())
