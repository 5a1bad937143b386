# A task waiting on an Event can be cancelled: whether the event is set just before or just after the cancel, the task gets CancelledError.
# MicroPython test: asyncio_event.py
import asyncio


async def waiter(name, ev):
    try:
        await ev.wait()
        print(name, "woke")
    except asyncio.CancelledError:
        print(name, "cancelled")


async def main():
    ev = asyncio.Event()
    t = asyncio.create_task(waiter("set-then-cancel", ev))
    await asyncio.sleep(0)
    ev.set()
    t.cancel()
    await asyncio.sleep(0.01)

    ev = asyncio.Event()
    t = asyncio.create_task(waiter("cancel-then-set", ev))
    await asyncio.sleep(0)
    t.cancel()
    ev.set()
    await asyncio.sleep(0.01)

    ev = asyncio.Event()
    a = asyncio.create_task(waiter("stays", ev))
    b = asyncio.create_task(waiter("leaves", ev))
    await asyncio.sleep(0)
    b.cancel()
    await asyncio.sleep(0)
    ev.set()
    await asyncio.sleep(0.01)
    print("end")


asyncio.run(main())
