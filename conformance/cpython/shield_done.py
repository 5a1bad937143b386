# shield() of a task that has already finished gives its result, or raises its error, and a shielded error reaches the awaiter.
import asyncio


async def good():
    return 5


async def bad():
    await asyncio.sleep(0.05)
    raise ValueError("bad")


async def main():
    g = asyncio.create_task(good())
    await asyncio.sleep(0)
    print("done:", g.done(), "shield gives", await asyncio.shield(g))
    b = asyncio.create_task(bad())
    try:
        await asyncio.shield(b)
    except ValueError as e:
        print("shield raised ValueError", e)
    try:
        await asyncio.shield(b)
    except ValueError as e:
        print("again, done:", b.done(), "ValueError", e)


asyncio.run(main())
