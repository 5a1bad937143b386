# notify(n) wakes the n tasks that have waited longest, in order, each taking the lock in turn; notify_all wakes the rest.
import asyncio


async def waiter(cond, name):
    async with cond:
        print(name, "waits")
        await cond.wait()
        print(name, "woken; locked", cond.locked())
        await asyncio.sleep(0)
        print(name, "releases")


async def turns(n):
    for _ in range(n):
        await asyncio.sleep(0)


async def main():
    cond = asyncio.Condition()
    ws = [asyncio.create_task(waiter(cond, "w%d" % i)) for i in range(5)]
    await asyncio.sleep(0)
    async with cond:
        cond.notify(1)
    print("notified 1")
    await turns(4)
    async with cond:
        cond.notify(2)
    print("notified 2")
    await turns(8)
    async with cond:
        cond.notify_all()
    print("notified all")
    await asyncio.gather(*ws)
    print("locked", cond.locked())


asyncio.run(main())
