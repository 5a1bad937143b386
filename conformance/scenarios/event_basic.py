# An Event starts clear; set() and clear() change is_set(); waiting on a set event returns True at once.
# MicroPython test: asyncio_event.py
import asyncio


async def main():
    ev = asyncio.Event()
    print("new:", ev.is_set())
    ev.set()
    print("after set:", ev.is_set())
    ev.set()
    print("after second set:", ev.is_set())
    print("wait on set event:", await ev.wait())
    ev.clear()
    print("after clear:", ev.is_set())


asyncio.run(main())
