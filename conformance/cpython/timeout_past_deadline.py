# A timeout whose deadline has already passed cancels the body at its very first await, and a body without an await is not cancelled.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout_at(loop.time() - 1):
            print("body starts")
            await asyncio.sleep(0)
            print("not reached")
    except TimeoutError:
        print("TimeoutError at the first await")
    try:
        async with asyncio.timeout_at(loop.time() - 1):
            print("body without an await")
        print("left without an error")
    except TimeoutError:
        print("TimeoutError")


asyncio.run(main())
