# A slot freed for a waiting putter stays free until the putter runs: full is False and put_nowait can take the slot first.
# Go differs: a slot freed for a waiting putter is reserved for it (first come, first served), so Full stays true and PutNowait from another task cannot take the slot from under the putter.
import asyncio


async def putter(q, v):
    print("putter waits with", v)
    await q.put(v)
    print("putter put", v)


async def main():
    q = asyncio.Queue(1)
    q.put_nowait("a")
    p = asyncio.create_task(putter(q, "b"))
    await asyncio.sleep(0)
    print("full", q.full())
    print("main takes", q.get_nowait())
    print("qsize", q.qsize(), "full", q.full())
    try:
        q.put_nowait("c")
        print("main put c; qsize", q.qsize(), "full", q.full())
    except asyncio.QueueFull:
        print("QueueFull")
    await asyncio.sleep(0)
    print("putter still waiting:", not p.done())
    print("main takes", q.get_nowait())
    await p
    print("then main takes", q.get_nowait(), "qsize", q.qsize())


asyncio.run(main())
