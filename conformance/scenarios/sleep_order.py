# Sleepers wake in the order of their deadlines, whatever the order they started in; a negative sleep is a sleep of 0.
# MicroPython test: asyncio_basic.py
import asyncio


async def sleeper(name, s):
    print(name, "sleeps", s)
    await asyncio.sleep(s)
    print(name, "wakes")


async def main():
    tasks = [
        asyncio.create_task(sleeper("c", 0.3)),
        asyncio.create_task(sleeper("a", 0.1)),
        asyncio.create_task(sleeper("neg", -1)),
        asyncio.create_task(sleeper("b", 0.2)),
        asyncio.create_task(sleeper("zero", 0)),
    ]
    for t in tasks:
        await t
    print("all awake")


asyncio.run(main())
