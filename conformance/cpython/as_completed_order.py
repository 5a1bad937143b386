# as_completed yields the tasks in the order they finish, whatever the order they were given in.
import asyncio


async def job(name, d):
    await asyncio.sleep(d)
    return name


async def main():
    ts = [asyncio.create_task(job(n, d)) for n, d in (("a", 0.15), ("b", 0.05), ("c", 0.1))]
    for f in asyncio.as_completed(ts):
        print("finished", await f)


asyncio.run(main())
