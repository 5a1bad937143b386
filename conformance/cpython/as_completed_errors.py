# as_completed gives a failed task in its turn, raising its error where it is awaited, and the iteration goes on with the rest; tasks already done come first.
import asyncio


async def job(name, d, fail=False):
    await asyncio.sleep(d)
    if fail:
        raise ValueError(name)
    return name


async def main():
    early = asyncio.create_task(job("early", 0))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    ts = [asyncio.create_task(job(n, d, f)) for n, d, f in (("a", 0.1, False), ("b", 0.05, True))]
    for f in asyncio.as_completed(ts + [early]):
        try:
            print("got", await f)
        except ValueError as e:
            print("ValueError", e)


asyncio.run(main())
