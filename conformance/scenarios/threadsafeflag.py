# ThreadSafeFlag: wait() returns once set() is called, from a task or from outside the loop; a set() before wait() is not lost; several set()s make one wake-up; wait() and clear() clear it.
# MicroPython test: asyncio_threadsafeflag.py
# Reference: threadsafeflag.exp (the npm build has no ThreadSafeFlag)
# CPython: skip (ThreadSafeFlag and micropython.schedule are MicroPython's)
import asyncio
import micropython


def from_outside(flag):
    # Runs outside any task, as an interrupt handler would.
    flag.set()


async def waiter(name, flag):
    print(name, "waits")
    await flag.wait()
    print(name, "woke")


async def wait_briefly(flag):
    await flag.wait()


async def still_clear(flag):
    try:
        await asyncio.wait_for(wait_briefly(flag), 0.05)
        print("flag was set")
    except asyncio.TimeoutError:
        print("flag is clear (TimeoutError)")


async def main():
    flag = asyncio.ThreadSafeFlag()

    t = asyncio.create_task(waiter("w1", flag))
    await asyncio.sleep(0)
    print("set from a task")
    flag.set()
    await t

    t = asyncio.create_task(waiter("w2", flag))
    await asyncio.sleep(0)
    print("set from outside the loop")
    micropython.schedule(from_outside, flag)
    await t

    print("set before anyone waits")
    flag.set()
    await waiter("w3", flag)
    await still_clear(flag)

    print("set twice")
    flag.set()
    flag.set()
    await waiter("w4", flag)
    await still_clear(flag)

    print("set then clear")
    flag.set()
    flag.clear()
    await still_clear(flag)


asyncio.run(main())
