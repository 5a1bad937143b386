# A task that catches its CancelledError goes on normally: later sleeps work, and its return value is its result.
# MicroPython test: asyncio_cancel_task.py, asyncio_wait_for.py
import asyncio


async def stubborn():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("stubborn ignores the cancellation")
    await asyncio.sleep(0.02)
    print("stubborn slept again")
    return "stubborn result"


async def main():
    t = asyncio.create_task(stubborn())
    await asyncio.sleep(0.01)
    print("cancel:", t.cancel())
    print("main got", await t)


asyncio.run(main())
