# wait(FIRST_EXCEPTION) returns when a task raises, or when all have finished if none does; the errors stay in the tasks.
import asyncio


def names(ts):
    return sorted(t.get_name() for t in ts)


async def job(d, fail=False):
    await asyncio.sleep(d)
    if fail:
        raise ValueError("job failed")


async def main():
    ts = [asyncio.create_task(job(d, f), name=n) for n, d, f in (("a", 0.05, False), ("b", 0.1, True), ("c", 0.2, False))]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("done", names(done), "pending", names(pending))
    print("b raised:", type(ts[1].exception()).__name__, ts[1].exception())
    await ts[2]
    ts = [asyncio.create_task(job(d), name=n) for n, d in (("x", 0.05), ("y", 0.1))]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("no error: done", names(done), "pending", names(pending))


asyncio.run(main())
