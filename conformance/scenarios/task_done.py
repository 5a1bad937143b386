# done() is False until the task has finished, by returning or by raising, and True after.
# MicroPython test: asyncio_task_done.py
import asyncio


async def worker(delay, fail):
    print("worker start", delay, fail)
    if delay >= 0:
        await asyncio.sleep(delay)
    if fail:
        raise ValueError("worker failed", delay)
    print("worker end", delay)


async def main():
    for delay, fail in ((-1, False), (0.02, False), (-1, True), (0.02, True)):
        print("--", delay, fail)
        t = asyncio.create_task(worker(delay, fail))
        print("created, done:", t.done())
        await asyncio.sleep(0)
        print("after one yield, done:", t.done())
        try:
            await t
            print("awaited ok")
        except ValueError as er:
            print("awaited", repr(er))
        print("after await, done:", t.done())


asyncio.run(main())
