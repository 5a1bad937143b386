# Cancelling a task that is inside wait_for cancels the awaited work too, and the task gets CancelledError.
# MicroPython test: asyncio_wait_for.py
# CPython differs: Only the order: CPython cancels the inner task and runs its handler before the waiting task sees CancelledError; MicroPython's wait_for raises in the waiting task first.
import asyncio


async def slow():
    print("slow start")
    try:
        await asyncio.sleep(1)
        print("slow end")
    except asyncio.CancelledError:
        print("slow cancelled")
        raise


async def waiter():
    print("waiter start")
    try:
        await asyncio.wait_for(slow(), 2)
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
    await asyncio.sleep(0.02)
    print("end")


asyncio.run(main())
