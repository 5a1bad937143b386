# A task inside wait_for is cancelled just as the awaited work starts or finishes: in every case the task ends with CancelledError.
# MicroPython test: asyncio_wait_for.py
# CPython differs: CPython 3.11's wait_for returns the inner result once the inner coroutine has finished, even if wait_for's own task was cancelled meanwhile; MicroPython raises CancelledError.
import asyncio


async def quick(n):
    print("quick", n, "start")
    await asyncio.sleep(0)
    print("quick", n, "end")
    return n


async def waiter(n):
    print("waiter", n, "start")
    try:
        r = await asyncio.wait_for(quick(n), 1)
        print("waiter", n, "got", r)
    except asyncio.CancelledError:
        print("waiter", n, "cancelled")
        raise


async def main():
    for turns in range(1, 5):
        t = asyncio.create_task(waiter(turns))
        for _ in range(turns):
            await asyncio.sleep(0)
        print("cancel after", turns, "turns, done:", t.done())
        t.cancel()
        try:
            await t
            print("finished normally")
        except asyncio.CancelledError:
            print("CancelledError")
        print("--")


asyncio.run(main())
