# Barrier(3): each party gets its arrival index, n_waiting counts the parties waiting, and the last to arrive releases them all.
import asyncio


async def party(b, name):
    print(name, "arrives")
    i = await b.wait()
    print(name, "passes with index", i)


async def main():
    b = asyncio.Barrier(3)
    print("parties", b.parties, "n_waiting", b.n_waiting, "broken", b.broken)
    for rnd in range(2):
        ts = [asyncio.create_task(party(b, n)) for n in ("a", "b")]
        await asyncio.sleep(0)
        print("round", rnd, "n_waiting", b.n_waiting)
        i = await b.wait()
        print("main passes with index", i, "n_waiting", b.n_waiting)
        await asyncio.gather(*ts)
    print("n_waiting", b.n_waiting, "broken", b.broken)


asyncio.run(main())
