# wait_for checks the predicate first and after each notification, and returns with the lock held once it is true.
import asyncio


async def consumer(cond, box):
    def ready():
        print("checks", box[0])
        return box[0] >= 3

    async with cond:
        await cond.wait_for(ready)
        print("consumer sees", box[0], "locked", cond.locked())


async def main():
    cond = asyncio.Condition()
    box = [0]
    c = asyncio.create_task(consumer(cond, box))
    for _ in range(4):
        await asyncio.sleep(0)
        async with cond:
            box[0] += 1
            cond.notify()
        print("set", box[0])
    await c
    async with cond:
        await cond.wait_for(lambda: True)
        print("true at once")


asyncio.run(main())
