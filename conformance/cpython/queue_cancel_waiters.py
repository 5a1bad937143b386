# A cancelled getter or putter leaves the queue as it was: a getter cancelled after an item woke it passes the item on, and a cancelled putter puts nothing.
import asyncio


async def main():
    q = asyncio.Queue(1)
    g1 = asyncio.create_task(q.get())
    g2 = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    g1.cancel()
    await asyncio.sleep(0)
    print("g1 cancelled", g1.cancelled())
    q.put_nowait("x")
    print("g2 got", await g2, "qsize", q.qsize())
    g3 = asyncio.create_task(q.get())
    g4 = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    q.put_nowait("y")
    g3.cancel()
    print("g4 got", await g4, "g3 cancelled", g3.cancelled(), "qsize", q.qsize())
    q.put_nowait("z")
    p = asyncio.create_task(q.put("w"))
    await asyncio.sleep(0)
    p.cancel()
    await asyncio.sleep(0)
    print("putter cancelled", p.cancelled(), "qsize", q.qsize())
    print("main takes", q.get_nowait(), "empty", q.empty())


asyncio.run(main())
