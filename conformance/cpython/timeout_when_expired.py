# when() is the deadline on the loop's clock, expired() stays False when the body finishes in time, and reschedule(None) removes the deadline.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with asyncio.timeout(0.1) as cm:
        print("when - start:", round(cm.when() - start, 2))
        await asyncio.sleep(0.05)
    print("in time; expired:", cm.expired())
    async with asyncio.timeout(0.05) as cm:
        cm.reschedule(None)
        print("when after reschedule(None):", cm.when())
        await asyncio.sleep(0.1)
    print("no deadline; expired:", cm.expired())
    at = loop.time() + 0.1
    async with asyncio.timeout_at(at) as cm:
        print("timeout_at keeps its deadline:", cm.when() == at)
    print("end")


asyncio.run(main())
