# wait_for returns in the turn MicroPython's runner task gives it: a ticker printing every turn shows when the waiter resumes, for a result, an error and an inner task that needs a few turns.
# MicroPython test: asyncio_wait_for.py
# CPython differs: CPython 3.11's wait_for awaits the inner task directly and takes one turn more when the work finishes at its first step; exceptions print without MicroPython's trailing comma.
import asyncio


async def ticker(n):
    for i in range(n):
        print("tick", i)
        await asyncio.sleep(0)


async def work(turns, fail):
    print("work start", turns)
    for _ in range(turns):
        await asyncio.sleep(0)
    if fail:
        raise ValueError("work failed")
    print("work end", turns)
    return turns * 10


async def main():
    for turns, fail in ((0, False), (1, False), (3, False), (0, True), (2, True)):
        t = asyncio.create_task(ticker(8))
        try:
            r = await asyncio.wait_for(work(turns, fail), 1)
            print("wait_for returned", r)
        except ValueError as er:
            print("wait_for raised", repr(er))
        await t
        print("--")


asyncio.run(main())
