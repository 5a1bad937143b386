# Cancelling a sleeping task several times before it runs again delivers a single CancelledError.
# MicroPython test: asyncio_cancel_task.py, asyncio_cancel_fair2.py
import asyncio


async def sleeper():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("sleeper cancelled once")
        raise


async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0.01)
    for i in range(3):
        print("cancel", i, t.cancel())
    try:
        await t
    except asyncio.CancelledError:
        print("main: CancelledError")


asyncio.run(main())
