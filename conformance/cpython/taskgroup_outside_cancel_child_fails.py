# A TaskGroup cancelled from outside while a child fails in its clean-up raises the child's ExceptionGroup, not CancelledError.
import asyncio


def show(e):
    if isinstance(e, BaseExceptionGroup):
        return type(e).__name__ + " [" + ", ".join(show(x) for x in e.exceptions) + "]"
    return type(e).__name__ + (": " + str(e) if str(e) else "")


async def child():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        raise ValueError("cleanup failed")


async def runner():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(child())
        await asyncio.sleep(1)


async def main():
    r = asyncio.create_task(runner())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    r.cancel()
    try:
        await r
    except BaseException as e:
        print("runner raised", show(e))
    print("runner cancelled:", r.cancelled())


asyncio.run(main())
