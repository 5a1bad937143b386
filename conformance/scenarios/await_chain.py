# Tasks that await one another in a chain finish in order; awaiting the last one waits for the whole chain.
# MicroPython test: asyncio_wait_for_linked_task.py
import asyncio


async def stage(before, name):
    if before is not None:
        await before
    await asyncio.sleep(0.02)
    print(name, "finished")
    return name


async def main():
    first = asyncio.create_task(stage(None, "first"))
    second = asyncio.create_task(stage(first, "second"))
    third = asyncio.create_task(stage(second, "third"))
    print("got", await first)
    print("got", await third)
    print("second done", second.done())


asyncio.run(main())
