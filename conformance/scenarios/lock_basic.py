# A Lock starts unlocked; acquire() returns True and locks it, release() unlocks it, and releasing an unlocked Lock raises RuntimeError.
# MicroPython test: asyncio_lock.py
# CPython differs: CPython's RuntimeError message is "Lock is not acquired.".
import asyncio


async def main():
    lock = asyncio.Lock()
    print("new, locked:", lock.locked())
    print("acquire:", await lock.acquire())
    print("locked:", lock.locked())
    lock.release()
    print("released, locked:", lock.locked())
    async with lock:
        print("inside async with, locked:", lock.locked())
    print("after async with, locked:", lock.locked())
    try:
        lock.release()
        print("released an unlocked lock")
    except RuntimeError as er:
        print("RuntimeError:", er)


asyncio.run(main())
