# While a task holds a Lock across a sleep, another task that wants it waits until it is released.
# MicroPython test: asyncio_lock.py
import asyncio


async def holder(name, lock, s):
    async with lock:
        print(name, "has the lock, locked:", lock.locked())
        await asyncio.sleep(s)
        print(name, "releases")
    print(name, "released, locked:", lock.locked())
    await lock.acquire()
    print(name, "has it again")
    lock.release()


async def main():
    lock = asyncio.Lock()
    first = asyncio.create_task(holder("first", lock, 0.1))
    await asyncio.sleep(0.02)
    print("main wants the lock")
    await holder("main", lock, 0.02)
    await first
    print("locked:", lock.locked())


asyncio.run(main())
