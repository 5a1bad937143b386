# Cancelling a task whose awaited task has just finished: the awaiter gets CancelledError instead of carrying on.
# MicroPython test: asyncio_cancel_wait_on_finished.py
import asyncio


async def short():
    print("short sleeps")
    await asyncio.sleep(0)
    print("short ends")


async def waiter(t):
    print("waiter awaits")
    await t
    print("waiter carries on")


async def main():
    w = asyncio.create_task(waiter(asyncio.create_task(short())))
    await asyncio.sleep(0)
    print("main yields")
    await asyncio.sleep(0)
    print("main cancels the waiter")
    w.cancel()
    try:
        await w
    except asyncio.CancelledError as er:
        print("main:", repr(er))


asyncio.run(main())
