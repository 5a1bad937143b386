# Waiters cancelled while queued for a Lock never get it: the lock passes to the next live waiter and ends unlocked.
# MicroPython test: asyncio_lock_cancel.py, asyncio_lock.py
import asyncio


async def contender(n, lock, inside):
    print("contender", n, "waits")
    try:
        await lock.acquire()
    except asyncio.CancelledError:
        print("contender", n, "cancelled")
        return
    print("contender", n, "got it, someone else inside:", inside[0])
    inside[0] = True
    await asyncio.sleep(0)
    inside[0] = False
    lock.release()
    print("contender", n, "released")


async def main():
    lock = asyncio.Lock()
    inside = [True]
    await lock.acquire()
    ts = [asyncio.create_task(contender(n, lock, inside)) for n in range(4)]
    await asyncio.sleep(0)
    ts[1].cancel()
    ts[2].cancel()
    inside[0] = False
    lock.release()
    for t in ts:
        await t
    print("locked:", lock.locked())


asyncio.run(main())
