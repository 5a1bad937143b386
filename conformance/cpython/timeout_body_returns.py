# A timeout whose body catches the cancellation and returns normally leaves the block without an error.
import asyncio


async def main():
    try:
        async with asyncio.timeout(0.05):
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print("body caught the cancellation")
        print("left the block without an error")
    except TimeoutError:
        print("TimeoutError")
    try:
        async with asyncio.timeout(0.05):
            await asyncio.sleep(1)
        print("not reached")
    except TimeoutError:
        print("TimeoutError when the cancellation goes through")


asyncio.run(main())
