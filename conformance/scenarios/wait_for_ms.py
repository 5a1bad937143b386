# wait_for_ms, MicroPython's wait_for with a timeout in milliseconds: a value in time, TimeoutError after.
# MicroPython test: asyncio_micropython.py
# CPython: skip (wait_for_ms and sleep_ms are MicroPython extensions)
import asyncio


async def job(n, ms):
    print("job", n, "start")
    await asyncio.sleep_ms(ms)
    print("job", n, "end")
    return n + 100


async def main():
    print(await asyncio.wait_for_ms(job(1, 10), 2000))
    try:
        print(await asyncio.wait_for_ms(job(2, 2000), 10))
    except asyncio.TimeoutError:
        print("TimeoutError")
    print("finish")


asyncio.run(main())
