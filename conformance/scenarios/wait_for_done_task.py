# wait_for of a task that has already finished still lets the other tasks run twice before it returns, and an error nobody retrieved reaches the exception handler in between.
# MicroPython test: asyncio_wait_for.py
# CPython differs: CPython calls the exception handler only when a task object is garbage-collected.
import asyncio


def handler(loop, context):
    print("handler:", repr(context["exception"]))


async def ticker(n):
    for i in range(n):
        print("tick", i)
        await asyncio.sleep(0)


async def job(fail):
    print("job runs")
    if fail:
        raise ValueError("job failed")
    return "value"


async def main():
    asyncio.get_event_loop().set_exception_handler(handler)
    for fail in (False, True):
        t = asyncio.create_task(job(fail))
        await asyncio.sleep(0)
        print("job done:", t.done())
        tick = asyncio.create_task(ticker(5))
        try:
            print("wait_for returned", await asyncio.wait_for(t, 1))
        except ValueError as er:
            print("wait_for raised", repr(er))
        await tick
        print("--")


asyncio.run(main())
