# gather of tasks that have already finished, some by raising, with and without return_exceptions.
# MicroPython test: asyncio_gather_finished_early.py
# CPython differs: When a gathered task has already failed, MicroPython's gather raises at once; CPython's learns it through done-callbacks on later loop turns, by which time the other task has finished.
import asyncio


def silent(loop, context):
    pass


async def early(name, ev, fail):
    print("early", name)
    ev.set()
    if fail:
        raise ValueError("early", name)
    return name


async def runner():
    for i in range(3):
        print("runner", i)
        await asyncio.sleep(0)
    return "runner"


async def case(with_runner, fail, return_exceptions):
    print("-- runner:", with_runner, "fail:", fail, "return_exceptions:", return_exceptions)
    ts = []
    if with_runner:
        ts.append(asyncio.create_task(runner()))
    ea, eb = asyncio.Event(), asyncio.Event()
    ts.append(asyncio.create_task(early("a", ea, fail)))
    ts.append(asyncio.create_task(early("b", eb, fail)))
    await ea.wait()
    await eb.wait()
    try:
        r = await asyncio.gather(*ts, return_exceptions=return_exceptions)
        print("result", r)
    except ValueError as er:
        print("raised", repr(er), "runner done:", ts[0].done())
    if with_runner:
        await ts[0]


async def main():
    asyncio.get_event_loop().set_exception_handler(silent)
    for with_runner in (False, True):
        for fail in (False, True):
            for return_exceptions in (False, True):
                await case(with_runner, fail, return_exceptions)


asyncio.run(main())
