# create_task on a TaskGroup whose block has ended raises RuntimeError at once, and the work never runs.
import asyncio


async def work():
    print("work runs")


async def main():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(work())
    coro = work()
    try:
        tg.create_task(coro)
        print("created")
    except RuntimeError:
        coro.close()
        print("RuntimeError at once")
    for _ in range(3):
        await asyncio.sleep(0)
    print("end")


asyncio.run(main())
