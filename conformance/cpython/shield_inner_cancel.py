# When the shielded task itself is cancelled, the task awaiting shield() gets CancelledError too.
import asyncio


async def inner():
    await asyncio.sleep(1)


async def main():
    t = asyncio.create_task(inner())

    async def outer():
        try:
            await asyncio.shield(t)
        except asyncio.CancelledError:
            print("outer got CancelledError")
            raise

    o = asyncio.create_task(outer())
    await asyncio.sleep(0.05)
    t.cancel()
    try:
        await o
    except asyncio.CancelledError:
        print("outer cancelled:", o.cancelled(), "inner cancelled:", t.cancelled())


asyncio.run(main())
