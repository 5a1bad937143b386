# wait(ALL_COMPLETED) with a timeout returns what has finished at the deadline and cancels nothing; the Go twin wraps Wait in MoveOnAfter.
import asyncio


def names(ts):
    return sorted(t.get_name() for t in ts)


async def job(d):
    await asyncio.sleep(d)


async def main():
    ts = [asyncio.create_task(job(d), name=n) for n, d in (("a", 0.05), ("b", 0.2), ("c", 0.1))]
    done, pending = await asyncio.wait(ts, timeout=0.15)
    print("done", names(done), "pending", names(pending))
    print("b cancelled:", ts[1].cancelled())
    await ts[1]
    print("b finished:", ts[1].done())


asyncio.run(main())
