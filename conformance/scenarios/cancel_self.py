# A task may not cancel itself: MicroPython raises RuntimeError and the task goes on.
# MicroPython test: asyncio_cancel_self.py
# CPython differs: CPython lets a task cancel itself: cancel() returns True and CancelledError comes at the task's next await. MicroPython raises RuntimeError and the task goes on.
import asyncio


async def selfish():
    me = asyncio.current_task()
    try:
        me.cancel()
        print("cancel returned")
    except RuntimeError as er:
        print("RuntimeError:", er)
    try:
        await asyncio.sleep(0)
        print("selfish goes on")
    except asyncio.CancelledError:
        print("selfish cancelled")
        raise


async def main():
    t = asyncio.create_task(selfish())
    try:
        await t
        print("main: task finished")
    except asyncio.CancelledError:
        print("main: CancelledError")


asyncio.run(main())
