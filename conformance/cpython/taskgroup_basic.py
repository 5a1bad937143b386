# A TaskGroup block waits for every task created in it, by the body or by its tasks, and ends without an error when all succeed.
import asyncio


async def child(tg, name, n, spawn=None):
    for _ in range(n):
        await asyncio.sleep(0)
    if spawn:
        tg.create_task(child(tg, spawn, 1))
        print(name, "started", spawn)
    print(name, "done")
    return name


async def main():
    async with asyncio.TaskGroup() as tg:
        a = tg.create_task(child(tg, "a", 2))
        b = tg.create_task(child(tg, "b", 1, spawn="c"))
        print("body done")
    print("after the block:", a.result(), b.result())


asyncio.run(main())
