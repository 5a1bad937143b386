# A timeout's deadline can be read, moved later (a keep-alive) and set to never; expired() says whether it fired.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        async with asyncio.timeout(0.1) as cm:
            print("when is set:", cm.when() is not None)
            for i in range(3):
                await asyncio.sleep(0.06)
                cm.reschedule(loop.time() + 0.1)
                print("message", i, "keeps it alive; expired:", cm.expired())
            await asyncio.sleep(0.3)
            print("not reached")
    except TimeoutError:
        print("TimeoutError; expired:", cm.expired())
    async with asyncio.timeout(None) as cm:
        print("never: when is", cm.when())
        await asyncio.sleep(0.05)
        cm.reschedule(loop.time() + 0.05)
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("cancelled after reschedule from never")
            raise
    print("not reached either")


async def outer():
    try:
        await main()
    except TimeoutError:
        print("TimeoutError from the rescheduled never")


asyncio.run(outer())
