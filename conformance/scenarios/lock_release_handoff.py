# Releasing a Lock a second time while it is being handed to a waiter that has not resumed yet raises RuntimeError: the lock stays the waiter's.
# MicroPython test: asyncio_lock.py
import asyncio


async def worker(name, lock):
    await lock.acquire()
    print(name, "holds the lock")
    await asyncio.sleep(0)
    print(name, "releases")
    lock.release()


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    ts = [asyncio.create_task(worker(n, lock)) for n in ("a", "b")]
    await asyncio.sleep(0)
    print("main releases")
    lock.release()
    print("locked:", lock.locked())
    try:
        lock.release()
        print("second release accepted")
    except RuntimeError:
        print("second release raises RuntimeError")
    for t in ts:
        await t
    print("locked:", lock.locked())


asyncio.run(main())
