# When the timeout passes first, wait_for cancels the awaited work, waits for it to finish, and raises TimeoutError.
# MicroPython test: asyncio_wait_for.py
import asyncio


async def slow():
    print("slow start")
    try:
        await asyncio.sleep(10)
        print("slow end")
    except asyncio.CancelledError:
        print("slow cancelled")
        raise
    finally:
        print("slow clean-up")


async def main():
    t = asyncio.create_task(slow())
    try:
        await asyncio.wait_for(t, 0.02)
        print("no timeout")
    except asyncio.TimeoutError:
        print("TimeoutError")
    print("slow done:", t.done())


asyncio.run(main())
