# A task that several others cancel over and over still gets to run its handler and finish.
# MicroPython test: asyncio_cancel_fair2.py
import asyncio


async def target():
    try:
        while True:
            print("target yields")
            await asyncio.sleep(0)
    except asyncio.CancelledError:
        print("target cancelled")


async def attacker(n, t):
    while t.cancel():
        print("attacker", n, "cancelled it")
        await asyncio.sleep(0)
    print("attacker", n, "stops")


async def main():
    t = asyncio.create_task(target())
    attackers = [asyncio.create_task(attacker(n, t)) for n in range(3)]
    await t
    for a in attackers:
        await a
    print("target done:", t.done())


asyncio.run(main())
