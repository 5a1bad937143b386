# Cancelling a task that has already finished does nothing and returns False.
# MicroPython test: asyncio_cancel_task.py
import asyncio


async def quick():
    print("quick runs")
    return 7


async def main():
    t = asyncio.create_task(quick())
    await asyncio.sleep(0.01)
    print("done:", t.done())
    print("cancel:", t.cancel())
    print("result:", await t)


asyncio.run(main())
