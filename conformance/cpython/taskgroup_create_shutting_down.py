# create_task on a TaskGroup that is shutting down after a failure raises RuntimeError, from a cancelled child as from the body.
import asyncio


def show(e):
    if isinstance(e, BaseExceptionGroup):
        return type(e).__name__ + " [" + ", ".join(show(x) for x in e.exceptions) + "]"
    return type(e).__name__ + (": " + str(e) if str(e) else "")


async def work(name):
    print(name, "runs")


def try_create(tg, who):
    coro = work("new task of " + who)
    try:
        tg.create_task(coro)
        print(who, "created a task")
    except RuntimeError:
        coro.close()
        print(who, "got RuntimeError")


async def bad():
    await asyncio.sleep(0)
    raise ValueError("boom")


async def sibling(tg):
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        try_create(tg, "sibling")
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(sibling(tg))
            tg.create_task(bad())
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                try_create(tg, "body")
                raise
    except BaseException as e:
        print("block raised", show(e))


asyncio.run(main())
