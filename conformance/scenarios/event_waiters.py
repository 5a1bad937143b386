# set() wakes every waiting task, in the order they began to wait; a task that waits after set() passes straight through; clear() makes later waiters wait again.
# MicroPython test: asyncio_event.py
import asyncio


async def waiter(name, ev):
    print(name, "waits")
    r = await ev.wait()
    print(name, "woke with", r)


async def main():
    ev = asyncio.Event()
    for name in ("w1", "w2", "w3"):
        asyncio.create_task(waiter(name, ev))
    await asyncio.sleep(0)
    print("main sets")
    ev.set()
    print("main yields")
    await asyncio.sleep(0)
    print("--")
    asyncio.create_task(waiter("late", ev))
    await asyncio.sleep(0)
    print("--")
    ev.clear()
    asyncio.create_task(waiter("after-clear", ev))
    await asyncio.sleep(0.01)
    print("main sets again")
    ev.set()
    await asyncio.sleep(0)
    print("end")


asyncio.run(main())
