# A waiter cancelled after notify(1) chose it: CPython 3.11 loses the notification, so the next waiter stays asleep (python/cpython#112202).
# Go differs: a notified waiter that is cancelled passes its notification on to the next waiter, as CPython 3.12 and later do, so a notify is never lost.
import asyncio


async def waiter(cond, name):
    async with cond:
        try:
            await cond.wait()
        except asyncio.CancelledError:
            print(name, "cancelled")
            raise
        print(name, "woken")


async def main():
    cond = asyncio.Condition()
    a = asyncio.create_task(waiter(cond, "a"))
    b = asyncio.create_task(waiter(cond, "b"))
    await asyncio.sleep(0)
    async with cond:
        cond.notify(1)
    a.cancel()
    for _ in range(5):
        await asyncio.sleep(0)
    print("b woken by the first notify:", b.done())
    async with cond:
        cond.notify(1)
    await b
    print("a cancelled", a.cancelled())


asyncio.run(main())
