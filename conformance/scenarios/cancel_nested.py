# Cancelling a task that awaits another task cancels the inner one; when the inner task lets the cancellation through, both end cancelled.
# MicroPython test: asyncio_cancel_task.py
import asyncio


async def inner():
    print("inner start")
    try:
        await asyncio.sleep(1)
        print("inner end")
    except asyncio.CancelledError:
        print("inner cancelled")
        raise


async def outer():
    print("outer start")
    t = asyncio.create_task(inner())
    try:
        await t
        print("outer end")
    except asyncio.CancelledError:
        print("outer cancelled, inner done:", t.done())
        raise


async def main():
    t = asyncio.create_task(outer())
    for _ in range(5):  # let it start and reach its sleep
        await asyncio.sleep(0)
    print("main cancels outer:", t.cancel())
    try:
        await t
    except asyncio.CancelledError:
        print("main: CancelledError")


asyncio.run(main())
