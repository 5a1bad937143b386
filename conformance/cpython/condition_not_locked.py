# wait, notify and notify_all raise RuntimeError without the lock; a waiter cancelled while waiting takes the lock back before it raises.
import asyncio


async def waiter(cond):
    async with cond:
        try:
            await cond.wait()
        except asyncio.CancelledError:
            print("waiter cancelled; locked", cond.locked())
            raise


async def main():
    cond = asyncio.Condition()
    try:
        await cond.wait()
    except RuntimeError:
        print("wait: RuntimeError")
    try:
        cond.notify()
    except RuntimeError:
        print("notify: RuntimeError")
    try:
        cond.notify_all()
    except RuntimeError:
        print("notify_all: RuntimeError")
    w = asyncio.create_task(waiter(cond))
    await asyncio.sleep(0)
    await cond.acquire()
    w.cancel()
    for _ in range(3):
        await asyncio.sleep(0)
    print("main holds the lock; waiter done:", w.done())
    cond.release()
    try:
        await w
    except asyncio.CancelledError:
        print("waiter ended with CancelledError; locked", cond.locked())


asyncio.run(main())
