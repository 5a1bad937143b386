# Cancelling a sleeping task wakes it at once with CancelledError at its sleep; its clean-up runs, and its awaiter sees CancelledError.
# MicroPython test: asyncio_cancel_task.py
import asyncio


async def sleeper():
    print("sleeper start")
    try:
        await asyncio.sleep(10)
        print("sleeper woke normally")
    except asyncio.CancelledError:
        print("sleeper cancelled")
        raise
    finally:
        print("sleeper clean-up")


async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0.01)
    print("cancel:", t.cancel())
    print("done right after cancel:", t.done())
    try:
        await t
    except asyncio.CancelledError:
        print("main: CancelledError")
    print("done:", t.done())


asyncio.run(main())
