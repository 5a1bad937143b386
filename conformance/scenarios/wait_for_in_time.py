# wait_for returns the awaited coroutine's value when it finishes before the timeout.
# MicroPython test: asyncio_wait_for.py
import asyncio


async def job(n, s):
    print("job", n, "start")
    await asyncio.sleep(s)
    print("job", n, "end")
    return n * 10


async def main():
    print("result:", await asyncio.wait_for(job(1, 0.01), 1))
    t = asyncio.create_task(job(2, 0.02))
    print("task result:", await asyncio.wait_for(t, 1))
    print("task done:", t.done())


asyncio.run(main())
