# sleep_ms, MicroPython's sleep in integer milliseconds: periodic tasks interleave by their deadlines.
# MicroPython test: asyncio_heaplock.py, asyncio_micropython.py
# CPython: skip (sleep_ms is a MicroPython extension)
import asyncio


async def every(name, n, ms):
    for i in range(n):
        print(name, i)
        await asyncio.sleep_ms(ms)


async def main():
    a = asyncio.create_task(every("a", 4, 200))
    b = asyncio.create_task(every("b", 2, 500))
    print("start")
    await asyncio.sleep_ms(100)
    print("main woke")
    await asyncio.sleep_ms(600)
    print("main woke again")
    await a
    await b
    print("finish")


asyncio.run(main())
