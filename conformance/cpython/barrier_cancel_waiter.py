# A party cancelled while it waits: CPython forgets it, so n_waiting drops and the others go on waiting for a third party.
# Go differs: the cancellation breaks the barrier, as a timeout breaks Python's threading.Barrier, so the others do not wait for a party that left; see Barrier's doc comment.
import asyncio


async def party(b, name):
    try:
        i = await b.wait()
        print(name, "passes with", i)
    except asyncio.BrokenBarrierError:
        print(name, "BrokenBarrierError")
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def main():
    b = asyncio.Barrier(3)
    a = asyncio.create_task(party(b, "a"))
    c = asyncio.create_task(party(b, "b"))
    await asyncio.sleep(0)
    a.cancel()
    await asyncio.sleep(0)
    print("n_waiting", b.n_waiting, "broken", b.broken)
    d = asyncio.create_task(party(b, "d"))
    await asyncio.sleep(0)
    print("n_waiting", b.n_waiting, "broken", b.broken)
    if not b.broken:
        await b.abort()
    await asyncio.gather(c, d)


asyncio.run(main())
