# reset while parties wait: they raise BrokenBarrierError, and the barrier is at once ready for a new round, not broken.
import asyncio


async def party(b, name):
    try:
        i = await b.wait()
        print(name, "passes with", i)
    except asyncio.BrokenBarrierError:
        print(name, "BrokenBarrierError")


async def main():
    b = asyncio.Barrier(2)
    t = asyncio.create_task(party(b, "a"))
    await asyncio.sleep(0)
    await b.reset()
    print("broken", b.broken, "n_waiting", b.n_waiting)
    await t
    ts = [asyncio.create_task(party(b, n)) for n in ("b", "c")]
    await asyncio.gather(*ts)
    print("broken", b.broken)


asyncio.run(main())
