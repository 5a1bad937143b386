# Cancelling tasks that hold or wait for a Lock, at different moments: the lock is always released and the others still get it.
# MicroPython test: asyncio_lock.py
import asyncio


async def user(n, lock, victim=None):
    try:
        async with lock:
            print("user", n, "has the lock")
            await asyncio.sleep(0.2)
        print("user", n, "released")
        if victim:
            print("user", n, "cancels user", victim[1])
            victim[0].cancel()
    except asyncio.CancelledError:
        print("user", n, "cancelled")


async def main():
    lock = asyncio.Lock()
    victim = [None, 1]
    a = asyncio.create_task(user(0, lock, victim))
    victim[0] = asyncio.create_task(user(1, lock))
    c = asyncio.create_task(user(2, lock))
    await a
    await victim[0]
    await c
    print("locked:", lock.locked())
    print("--")
    ts = [asyncio.create_task(user(n, lock)) for n in range(3)]
    await asyncio.sleep(0.06)
    ts[0].cancel()
    await asyncio.sleep(0.06)
    ts[2].cancel()
    for t in ts:
        await t
    print("locked:", lock.locked())


asyncio.run(main())
