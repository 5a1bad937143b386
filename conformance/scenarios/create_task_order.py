# A new task starts only when its creator next yields, and ready tasks take turns first-in first-out.
# MicroPython test: asyncio_basic2.py, asyncio_new_event_loop.py
import asyncio


async def child(name, rounds):
    for i in range(rounds):
        print(name, i)
        await asyncio.sleep(0)
    print(name, "end")


async def main():
    a = asyncio.create_task(child("a", 2))
    b = asyncio.create_task(child("b", 3))
    print("created both, not yielded yet")
    await asyncio.sleep(0)
    print("main after first yield")
    await asyncio.sleep(0)
    print("main after second yield")
    await a
    print("a finished")
    await b
    print("main end")


asyncio.run(main())
