# Another task can move a timeout's deadline earlier, to now: the body is cancelled at once and the block raises TimeoutError.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()
    handle = []

    async def watchdog():
        await asyncio.sleep(0.05)
        print("watchdog moves the deadline to now")
        handle[0].reschedule(loop.time())

    w = asyncio.create_task(watchdog())
    try:
        async with asyncio.timeout(1) as cm:
            handle.append(cm)
            await asyncio.sleep(0.5)
            print("not reached")
    except TimeoutError:
        print("TimeoutError; expired:", cm.expired())
    await w
    print("left well before the first deadline:", loop.time() - start < 0.3)


asyncio.run(main())
