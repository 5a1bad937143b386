# move_on_after written with timeout(): the deadline cancels the body and the block is left quietly; a body error or an early finish passes through.
import asyncio


async def move_on_after(d, body):
    # The Go twin uses asyncio.MoveOnAfter, which returns expired and the body's error.
    try:
        async with asyncio.timeout(d) as cm:
            await body()
    except TimeoutError:
        pass
    return cm.expired()


async def slow():
    await asyncio.sleep(1)
    print("not reached")


async def fast():
    await asyncio.sleep(0.05)
    print("fast body done")


async def bad():
    await asyncio.sleep(0.05)
    raise ValueError("bad")


async def main():
    print("slow: expired", await move_on_after(0.1, slow))
    print("fast: expired", await move_on_after(0.1, fast))
    try:
        await move_on_after(0.1, bad)
    except ValueError as e:
        print("bad: ValueError", e)


asyncio.run(main())
