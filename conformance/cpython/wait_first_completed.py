# wait(FIRST_COMPLETED) returns as soon as one task finishes, with the others pending and still running; ALL_COMPLETED then waits for the rest.
import asyncio


def names(ts):
    return sorted(t.get_name() for t in ts)


async def job(d):
    await asyncio.sleep(d)
    return d


async def main():
    ts = [asyncio.create_task(job(d), name=n) for n, d in (("a", 0.15), ("b", 0.05), ("c", 0.1))]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    print("done", names(done), "pending", names(pending))
    done, pending = await asyncio.wait(pending)
    print("done", names(done), "pending", names(pending))
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    print("all finished already: done", names(done), "pending", names(pending))


asyncio.run(main())
