# A timeout around shield() raises TimeoutError at the deadline, and the shielded task goes on and finishes later.
import asyncio


async def save():
    await asyncio.sleep(0.15)
    print("saved")
    return "ok"


async def main():
    t = asyncio.create_task(save())
    try:
        async with asyncio.timeout(0.05):
            await asyncio.shield(t)
    except TimeoutError:
        print("TimeoutError; save done:", t.done())
    print("save gives", await t)


asyncio.run(main())
