# wait() with no tasks raises ValueError at once.
import asyncio


async def main():
    try:
        done, pending = await asyncio.wait([])
        print("done", len(done), "pending", len(pending))
    except ValueError:
        print("ValueError")


asyncio.run(main())
