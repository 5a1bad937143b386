# Cancelling a task that awaits shield(inner) raises CancelledError in it at once, while the inner task runs on to its result.
import asyncio


async def inner():
    await asyncio.sleep(0.1)
    print("inner finishes")
    return "result"


async def main():
    t = asyncio.create_task(inner())

    async def outer():
        try:
            return await asyncio.shield(t)
        except asyncio.CancelledError:
            print("outer cancelled; inner done:", t.done())
            raise

    o = asyncio.create_task(outer())
    await asyncio.sleep(0.05)
    o.cancel()
    try:
        await o
    except asyncio.CancelledError:
        print("outer ended cancelled:", o.cancelled())
    print("inner gives", await t, "cancelled:", t.cancelled())


asyncio.run(main())
