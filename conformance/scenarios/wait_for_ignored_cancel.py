# The awaited work catches the cancellation of a timed-out wait_for and returns a value: MicroPython still raises TimeoutError.
# MicroPython test: asyncio_wait_for.py, asyncio_wait_for_fwd.py
# CPython differs: When the inner coroutine swallows the cancellation of a timed-out wait_for and returns a value, CPython 3.11's wait_for returns that value; MicroPython raises TimeoutError.
import asyncio


async def stubborn():
    print("stubborn start")
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("stubborn ignores the cancellation")
    print("stubborn returns")
    return "stubborn result"


async def main():
    try:
        r = await asyncio.wait_for(stubborn(), 0.02)
        print("got", r)
    except asyncio.TimeoutError:
        print("TimeoutError")


asyncio.run(main())
