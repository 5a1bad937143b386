# sleep(0) gives every other ready task one turn: busy tasks take turns in a fixed rotation.
# MicroPython test: asyncio_fair.py, asyncio_cancel_fair.py
import asyncio


async def spinner(name, turns):
    for i in range(turns):
        print(name, i)
        await asyncio.sleep(0)


async def main():
    ts = [asyncio.create_task(spinner(n, k)) for n, k in (("x", 3), ("y", 1), ("z", 2))]
    for t in ts:
        await t
    print("done")


asyncio.run(main())
