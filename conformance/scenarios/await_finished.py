# Awaiting a task that has already finished returns at once, even twice; a failure is delivered to a late awaiter too.
# MicroPython test: asyncio_wait_task.py
# CPython differs: MicroPython hands an exception that nobody has awaited yet to the exception handler one turn after the task ends (a later await still raises it); CPython calls the handler only when the task object is garbage-collected, not here.
import asyncio


def quiet(loop, context):
    print("handler called")


async def job(name, fail):
    print("job", name)
    if fail:
        raise ValueError(name, "failed")
    return name


async def main():
    t = asyncio.create_task(job("a", False))
    await asyncio.sleep(0.01)
    print("a done", t.done())
    print("await a:", await t)
    print("await a again:", await t)

    t = asyncio.create_task(job("b", True))
    try:
        await t
    except ValueError as er:
        print("await b:", repr(er))

    # Awaited five turns after it failed: the awaiter still gets the error.
    asyncio.get_event_loop().set_exception_handler(quiet)
    t = asyncio.create_task(job("c", True))
    for _ in range(5):
        await asyncio.sleep(0)
    try:
        await t
    except ValueError as er:
        print("await c:", repr(er))


asyncio.run(main())
