# A task inside wait_for is cancelled while the awaited work ignores cancellation: MicroPython's wait_for raises at once and the work finishes later on its own.
# MicroPython test: asyncio_wait_for.py
# CPython differs: When its own task is cancelled, MicroPython's wait_for cancels the inner coroutine and raises at once; CPython 3.11's waits for the inner coroutine to finish first (here it ignores the cancellation), so the waiting task ends later.
import asyncio


async def stubborn():
    print("stubborn start")
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("stubborn ignores the cancellation")
    await asyncio.sleep(0.05)
    print("stubborn end")


async def waiter():
    print("waiter start")
    try:
        await asyncio.wait_for(stubborn(), 1)
        print("waiter no error")
    except asyncio.CancelledError:
        print("waiter cancelled")
        raise


async def main():
    t = asyncio.create_task(waiter())
    for _ in range(5):  # let it start and reach its sleep
        await asyncio.sleep(0)
    print("main cancels waiter")
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("main: CancelledError")
    await asyncio.sleep(0.2)
    print("end")


asyncio.run(main())
