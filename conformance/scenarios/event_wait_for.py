# wait_for on an Event: returns True when the event is set in time, raises TimeoutError when it is not.
# MicroPython test: asyncio_event.py
import asyncio


async def set_later(ev, s):
    await asyncio.sleep(s)
    print("setting the event")
    ev.set()


async def wait_event(ev):
    return await ev.wait()


async def main():
    ev = asyncio.Event()
    asyncio.create_task(set_later(ev, 0.02))
    print("in time:", await asyncio.wait_for(wait_event(ev), 0.2))

    ev = asyncio.Event()
    setter = asyncio.create_task(set_later(ev, 0.2))
    try:
        await asyncio.wait_for(wait_event(ev), 0.02)
        print("no timeout")
    except asyncio.TimeoutError:
        print("TimeoutError")
    print("is set:", ev.is_set())
    await setter
    print("is set:", ev.is_set())


asyncio.run(main())
