# A coroutine awaited directly and a task awaited give back the value returned; a finished task can be awaited again.
# MicroPython test: asyncio_await_return.py, asyncio_wait_task.py
import asyncio


async def square(x):
    await asyncio.sleep(0)
    return x * x


async def main():
    print("direct", await square(3))
    t = asyncio.create_task(square(4))
    print("task", await t)
    print("again", await t)
    print("done", t.done())


asyncio.run(main())
