# A party that waits again right after the barrier released waits until every released party has left it, then starts the next round.
import asyncio


async def party(b, name):
    for rnd in range(2):
        i = await b.wait()
        print(name, "passed round", rnd, "with index", i)


async def main():
    b = asyncio.Barrier(3)
    ts = [asyncio.create_task(party(b, n)) for n in ("a", "b", "c")]
    await asyncio.gather(*ts)
    print("n_waiting", b.n_waiting)


asyncio.run(main())
