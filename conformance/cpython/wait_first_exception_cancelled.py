# wait(FIRST_EXCEPTION) does not count a cancelled task as an exception: it goes on waiting until a task raises.
import asyncio


def names(ts):
    return sorted(t.get_name() for t in ts)


async def job(d, fail=False):
    await asyncio.sleep(d)
    if fail:
        raise ValueError("job failed")


async def main():
    ts = [asyncio.create_task(job(d, f), name=n) for n, d, f in (("a", 1, False), ("b", 0.1, True), ("c", 0.2, False))]

    async def canceller():
        await asyncio.sleep(0.05)
        ts[0].cancel()

    k = asyncio.create_task(canceller())
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("done", names(done), "pending", names(pending))
    print("a cancelled:", ts[0].cancelled())
    ts[1].exception()
    await ts[2]
    await k


asyncio.run(main())
