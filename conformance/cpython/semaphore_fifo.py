# Semaphore(2): the first two tasks acquire at once, the others wait and get the units in the order they asked.
import asyncio


async def worker(sem, name):
    async with sem:
        print(name, "in; locked", sem.locked())
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        print(name, "out")


async def main():
    sem = asyncio.Semaphore(2)
    tasks = [asyncio.create_task(worker(sem, "w%d" % i)) for i in range(5)]
    await asyncio.gather(*tasks)
    print("locked", sem.locked())


asyncio.run(main())
