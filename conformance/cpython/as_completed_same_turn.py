# Tasks that finish in the same loop turn come out of as_completed in the order they finished, not in argument order.
import asyncio


async def job(name):
    await asyncio.sleep(0)
    print(name, "finishes")
    return name


async def main():
    a = asyncio.create_task(job("a"))
    b = asyncio.create_task(job("b"))
    c = asyncio.create_task(job("c"))
    for f in asyncio.as_completed([c, a, b]):
        print("as_completed gives", await f)


asyncio.run(main())
