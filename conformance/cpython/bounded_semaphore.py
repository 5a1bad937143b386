# BoundedSemaphore raises ValueError when released more times than acquired, and otherwise hands units to waiters as Semaphore does.
import asyncio


async def waiter(sem):
    await sem.acquire()
    print("waiter acquired; locked", sem.locked())
    sem.release()


async def main():
    sem = asyncio.BoundedSemaphore(2)
    try:
        sem.release()
    except ValueError:
        print("ValueError at once")
    await sem.acquire()
    print("locked", sem.locked())
    await sem.acquire()
    print("locked", sem.locked())
    w = asyncio.create_task(waiter(sem))
    await asyncio.sleep(0)
    sem.release()
    await w
    sem.release()
    print("locked", sem.locked())
    try:
        sem.release()
    except ValueError:
        print("ValueError")
    print("locked", sem.locked())


asyncio.run(main())
