# A semaphore waiter cancelled while it waits takes no unit, and one cancelled after a release woke it passes the unit on to the next waiter.
import asyncio


async def waiter(sem, name):
    try:
        await sem.acquire()
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise
    print(name, "acquired")
    await asyncio.sleep(0)
    sem.release()


async def main():
    sem = asyncio.Semaphore(1)
    await sem.acquire()
    a = asyncio.create_task(waiter(sem, "a"))
    b = asyncio.create_task(waiter(sem, "b"))
    c = asyncio.create_task(waiter(sem, "c"))
    await asyncio.sleep(0)
    a.cancel()
    await asyncio.sleep(0)
    print("a cancelled", a.cancelled(), "locked", sem.locked())
    sem.release()
    b.cancel()
    res = await asyncio.gather(b, c, return_exceptions=True)
    print("b", type(res[0]).__name__, "c", res[1])
    print("locked", sem.locked())


asyncio.run(main())
