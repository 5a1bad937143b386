# A task cancelled before it has had a chance to start never runs, and awaiting it raises CancelledError.
# MicroPython test: asyncio_cancel_task.py
import asyncio


async def never():
    print("this line never runs")


async def main():
    t = asyncio.create_task(never())
    print("cancel:", t.cancel())
    await asyncio.sleep(0)
    print("done:", t.done())
    try:
        await t
        print("awaited without error")
    except asyncio.CancelledError:
        print("await: CancelledError")


asyncio.run(main())
