# Two sleeping tasks run at the same time: both are done before a task that started with them and slept less than the sum of their sleeps.
# MicroPython test: asyncio_wait_task.py, asyncio_basic.py
import asyncio
import time


def now_ms():
    if hasattr(time, "ticks_ms"):
        return time.ticks_ms()
    return int(time.monotonic() * 1000)


async def nap(s, word):
    await asyncio.sleep(s)
    print(word, "done")


async def main():
    t0 = now_ms()
    a = asyncio.create_task(nap(0.1, "short"))
    b = asyncio.create_task(nap(0.2, "long"))
    marker = asyncio.create_task(nap(0.25, "marker"))
    print("waiting")
    await a
    t1 = now_ms()
    await b
    t2 = now_ms()
    await marker
    print("short took 100 ms or more:", t1 - t0 >= 95)
    print("both took 200 ms or more:", t2 - t0 >= 195)


asyncio.run(main())
