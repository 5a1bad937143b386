# abort breaks the barrier: the waiting parties and every later wait raise BrokenBarrierError until reset, which makes it usable again.
import asyncio


async def party(b, name):
    try:
        i = await b.wait()
        print(name, "passes with", i)
    except asyncio.BrokenBarrierError:
        print(name, "BrokenBarrierError")


async def main():
    b = asyncio.Barrier(3)
    ts = [asyncio.create_task(party(b, n)) for n in ("a", "b")]
    await asyncio.sleep(0)
    print("n_waiting", b.n_waiting)
    await b.abort()
    print("broken", b.broken)
    await asyncio.gather(*ts)
    await party(b, "late")
    await b.reset()
    print("after reset broken", b.broken, "n_waiting", b.n_waiting)
    ts = [asyncio.create_task(party(b, n)) for n in ("a", "b", "c")]
    await asyncio.gather(*ts)


asyncio.run(main())
