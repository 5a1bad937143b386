# A task cancels the task that is awaiting it: MicroPython forwards the cancel to the awaited task, which is the running one, and so drops it; the awaiter keeps waiting and gets the result.
# MicroPython test: asyncio_cancel_self.py
# CPython differs: CPython cancels the awaiter itself; it gets CancelledError while the inner task goes on.
# Go differs: the cancel follows MicroPython's forwarding to the running inner task and is delivered at its next await point instead of being lost; the awaiter then gets the inner task's CancelledError, and the output is CPython's.
import asyncio


async def inner():
    print("inner cancels its awaiter")
    print("cancel returned", outer_task.cancel())
    await asyncio.sleep(0)
    print("inner goes on")
    await asyncio.sleep(0)
    print("inner returns")
    return "inner result"


async def outer():
    try:
        r = await asyncio.create_task(inner())
        print("outer got", r)
    except asyncio.CancelledError:
        print("outer cancelled")
        raise
    await asyncio.sleep(0)
    print("outer goes on")


async def main():
    global outer_task
    outer_task = asyncio.create_task(outer())
    try:
        await outer_task
        print("outer finished")
    except asyncio.CancelledError:
        print("outer finished with CancelledError")


asyncio.run(main())
