# A TaskGroup cancelled from outside cancels its child, waits for its clean-up, and raises CancelledError.
import asyncio


def show(e):
    if isinstance(e, BaseExceptionGroup):
        return type(e).__name__ + " [" + ", ".join(show(x) for x in e.exceptions) + "]"
    return type(e).__name__ + (": " + str(e) if str(e) else "")


async def child(name):
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print(name, "cleans up")
        await asyncio.sleep(0)
        print(name, "cleaned up")
        raise


async def runner():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(child("a"))
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("body cancelled")
            raise


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
