# When another task cancels the task that wait_for awaits, wait_for raises CancelledError, not TimeoutError.
# MicroPython test: asyncio_wait_for.py
import asyncio


async def slow():
    print("slow start")
    await asyncio.sleep(10)
    print("slow end")


async def canceller(t):
    await asyncio.sleep(0.02)
    print("canceller cancels slow")
    t.cancel()


async def main():
    t = asyncio.create_task(slow())
    asyncio.create_task(canceller(t))
    try:
        await asyncio.wait_for(t, 1)
        print("no error")
    except asyncio.TimeoutError:
        print("TimeoutError")
    except asyncio.CancelledError:
        print("CancelledError")


asyncio.run(main())
