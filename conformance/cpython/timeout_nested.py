# Nested timeouts: each reports only its own deadline as TimeoutError; an inner block sees the outer deadline as a cancellation passing through.
import asyncio


async def main():
    try:
        async with asyncio.timeout(0.1):
            try:
                async with asyncio.timeout(0.3):
                    await asyncio.sleep(1)
            except TimeoutError:
                print("inner TimeoutError")
            except asyncio.CancelledError:
                print("inner block: CancelledError passes through")
                raise
    except TimeoutError:
        print("outer TimeoutError")
    async with asyncio.timeout(0.3):
        try:
            async with asyncio.timeout(0.05):
                await asyncio.sleep(1)
        except TimeoutError:
            print("inner TimeoutError, caught inside the outer block")
        await asyncio.sleep(0.05)
        print("outer block goes on")
    print("end")


asyncio.run(main())
