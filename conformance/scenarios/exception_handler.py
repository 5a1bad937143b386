# get/set_exception_handler: a task's exception that nobody awaits goes to the handler, one turn after the task ends, in the order the tasks ended.
# MicroPython test: asyncio_set_exception_handler.py
# CPython differs: CPython's message is "Task exception was never retrieved", and the handler runs when the failed task is garbage-collected, which here is one turn earlier than MicroPython's.
import asyncio


def handler(loop, context):
    print("handler:", context["message"], repr(context["exception"]))


async def failing(n):
    raise ValueError("failing", n)


async def main():
    loop = asyncio.get_event_loop()
    print("default handler:", loop.get_exception_handler())
    loop.set_exception_handler(handler)
    print("handler set:", loop.get_exception_handler() == handler)

    asyncio.create_task(failing(1))
    print("yield 1")
    await asyncio.sleep(0)
    print("yield 2")
    await asyncio.sleep(0)

    asyncio.create_task(failing(2))
    asyncio.create_task(failing(3))
    print("yield 3")
    await asyncio.sleep(0)
    print("yield 4")
    await asyncio.sleep(0)

    t = asyncio.create_task(failing(4))
    await asyncio.sleep(0)
    try:
        await t
    except ValueError as er:
        print("awaited:", repr(er))
    await asyncio.sleep(0)
    print("end")


asyncio.run(main())
