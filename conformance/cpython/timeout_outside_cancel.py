# A task cancelled from outside inside a timeout block ends with CancelledError, not TimeoutError, and expired() stays False.
import asyncio


async def main():
    cms = []

    async def worker():
        async with asyncio.timeout(0.2) as cm:
            cms.append(cm)
            await asyncio.sleep(1)

    t = asyncio.create_task(worker())
    await asyncio.sleep(0.05)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("CancelledError; expired:", cms[0].expired())
    except TimeoutError:
        print("TimeoutError")


asyncio.run(main())
