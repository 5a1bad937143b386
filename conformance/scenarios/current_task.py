# current_task() returns the Task object of the task that calls it.
# MicroPython test: asyncio_current_task.py
import asyncio

seen = {}


async def record(name):
    seen[name] = asyncio.current_task()
    await asyncio.sleep(0)
    print(name, "still itself after a yield:", asyncio.current_task() is seen[name])


async def main():
    me = asyncio.current_task()
    a = asyncio.create_task(record("a"))
    b = asyncio.create_task(record("b"))
    await a
    await b
    print("a is its task:", seen["a"] is a)
    print("b is its task:", seen["b"] is b)
    print("a is not b:", seen["a"] is not seen["b"])
    print("main is itself:", asyncio.current_task() is me)


asyncio.run(main())
