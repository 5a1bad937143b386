# Tasks whose sleeps end at the same moment wake in the order they went to sleep.
# MicroPython test: asyncio_heaplock.py, asyncio_fair.py
import asyncio


async def sleeper(name):
    await asyncio.sleep(0.05)
    print("woke", name)
    await asyncio.sleep(0.05)
    print("woke again", name)


async def main():
    tasks = [asyncio.create_task(sleeper(n)) for n in ("one", "two", "three", "four")]
    await asyncio.sleep(0)
    print("all asleep")
    for t in tasks:
        await t


asyncio.run(main())
