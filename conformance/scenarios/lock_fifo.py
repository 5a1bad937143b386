# Tasks queue for a Lock and get it first-come first-served, even when the releaser asks for it again at once.
# MicroPython test: asyncio_lock.py
import asyncio


async def worker(name, lock, rounds):
    print(name, "start")
    for i in range(rounds):
        async with lock:
            print(name, "holds the lock", i)
            await asyncio.sleep(0)
    print(name, "end")


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    ts = [asyncio.create_task(worker(n, lock, 2)) for n in ("a", "b", "c")]
    await asyncio.sleep(0)
    print("main releases")
    lock.release()
    for t in ts:
        await t
    print("locked:", lock.locked())


asyncio.run(main())
