# Cancelling a task that awaits another cancels the inner one; if the inner task swallows the cancellation, the outer task carries on.
# MicroPython test: asyncio_cancel_task.py
import asyncio


async def inner():
    print("inner start")
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("inner swallows the cancellation")
    return "inner result"


async def outer():
    print("outer start")
    try:
        r = await asyncio.create_task(inner())
        print("outer got", r)
    except asyncio.CancelledError:
        print("outer cancelled")
        raise
    await asyncio.sleep(0.01)
    print("outer end")
    return "outer result"


async def main():
    t = asyncio.create_task(outer())
    for _ in range(5):  # let it start and reach its sleep
        await asyncio.sleep(0)
    print("main cancels outer")
    t.cancel()
    try:
        print("main got", await t)
    except asyncio.CancelledError:
        print("main: CancelledError")


asyncio.run(main())
