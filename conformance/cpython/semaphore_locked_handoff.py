# A semaphore released twice while the woken waiter has not run yet is still locked, and a new acquire queues behind that waiter.
import asyncio


async def holder(sem):
    await sem.acquire()
    print("holder has it")
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def waiter(sem, name):
    print(name, "waits")
    await sem.acquire()
    print(name, "acquired")
    await asyncio.sleep(0)
    sem.release()
    print(name, "released")


async def main():
    sem = asyncio.Semaphore(1)
    await sem.acquire()
    w = asyncio.create_task(waiter(sem, "w1"))
    await asyncio.sleep(0)
    sem.release()
    print("after one release, locked:", sem.locked())
    sem.release()
    print("after two releases, locked:", sem.locked())
    n = asyncio.create_task(waiter(sem, "newcomer"))
    await asyncio.sleep(0)
    print("newcomer started; locked:", sem.locked())
    await w
    await n
    print("end locked:", sem.locked())


asyncio.run(main())
