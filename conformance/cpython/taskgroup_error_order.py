# When the body raises and a child fails while being cancelled, the ExceptionGroup lists the child's error first and the body's last.
import asyncio


def show(e):
    if isinstance(e, BaseExceptionGroup):
        return type(e).__name__ + " [" + ", ".join(show(x) for x in e.exceptions) + "]"
    return type(e).__name__ + (": " + str(e) if str(e) else "")


async def child():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        raise ValueError("child")


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child())
            await asyncio.sleep(0)
            raise ValueError("body")
    except BaseException as e:
        print("block raised", show(e))


asyncio.run(main())
