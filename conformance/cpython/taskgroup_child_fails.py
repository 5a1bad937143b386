# A failing child cancels its siblings and the body at its await, and the block raises an ExceptionGroup of the failure.
import asyncio


def show(e):
    if isinstance(e, BaseExceptionGroup):
        return type(e).__name__ + " [" + ", ".join(show(x) for x in e.exceptions) + "]"
    return type(e).__name__ + (": " + str(e) if str(e) else "")


async def bad():
    await asyncio.sleep(0)
    raise ValueError("boom")


async def sibling(name):
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(sibling("s"))
            tg.create_task(bad())
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print("body cancelled")
                raise
    except BaseException as e:
        print("block raised", show(e))
    print("main not cancelled:", not asyncio.current_task().cancelling())


asyncio.run(main())
