# When the awaited work raises before the timeout, wait_for raises that exception.
# MicroPython test: asyncio_wait_for.py
import asyncio


async def faulty():
    print("faulty start")
    await asyncio.sleep(0.01)
    raise ValueError("faulty", 1)


async def main():
    try:
        await asyncio.wait_for(faulty(), 1)
    except ValueError as er:
        print("caught", repr(er))


asyncio.run(main())
