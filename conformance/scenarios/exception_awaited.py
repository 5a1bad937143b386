# An exception raised in a task is raised again in the task that awaits it, and is not reported to the exception handler.
# MicroPython test: asyncio_exception.py, asyncio_set_exception_handler.py
import asyncio


def handler(loop, context):
    print("handler:", repr(context["exception"]))


async def failing(n):
    print("failing", n, "start")
    await asyncio.sleep(0)
    raise ValueError("failing", n)


async def middle():
    await failing(1)
    print("not reached")


async def main():
    asyncio.get_event_loop().set_exception_handler(handler)
    try:
        await middle()
    except ValueError as er:
        print("direct await:", repr(er))
    t = asyncio.create_task(failing(2))
    try:
        await t
    except ValueError as er:
        print("task await:", repr(er))
    await asyncio.sleep(0.01)
    print("end")


asyncio.run(main())
