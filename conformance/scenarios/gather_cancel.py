# Cancelling a task that is waiting in gather cancels every task being gathered.
# MicroPython test: asyncio_gather.py
# CPython differs: Only the order: CPython cancels the gathered tasks first, and the gathering task sees its CancelledError after them; in MicroPython the gathering task sees it first and then cancels them.
import asyncio


async def job(n):
    print("job", n, "start")
    try:
        await asyncio.sleep(1)
        print("job", n, "end")
    except asyncio.CancelledError:
        print("job", n, "cancelled")
        raise


async def gatherer():
    print("gatherer start")
    try:
        await asyncio.gather(job(1), job(2))
        print("gatherer end")
    except asyncio.CancelledError:
        print("gatherer cancelled")
        raise


async def main():
    t = asyncio.create_task(gatherer())
    for _ in range(5):  # let the jobs start and reach their sleep
        await asyncio.sleep(0)
    print("main cancels the gatherer")
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("main: CancelledError")
    await asyncio.sleep(0.01)
    print("end")


asyncio.run(main())
