# Tasks that set, clear and wait on an Event in a loop do not starve tasks that only yield.
# MicroPython test: asyncio_event_fair.py
import asyncio


async def yielder(name):
    for i in range(3):
        print(name, "yields", i)
        await asyncio.sleep(0)


async def flipper(name, ev):
    for i in range(3):
        ev.set()
        ev.clear()
        print(name, "waits", i)
        await ev.wait()


async def main():
    ev = asyncio.Event()
    ts = [
        asyncio.create_task(yielder("y1")),
        asyncio.create_task(flipper("f1", ev)),
        asyncio.create_task(yielder("y2")),
        asyncio.create_task(flipper("f2", ev)),
    ]
    await ts[1]
    print("f1 finished")
    ev.set()
    for t in ts:
        await t
    print("all finished")


asyncio.run(main())
