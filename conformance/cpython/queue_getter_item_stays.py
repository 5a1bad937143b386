# An item put for a waiting getter stays in the queue until the getter runs: qsize and empty see it, and get_nowait can take it first.
# Go differs: a value put for a waiting getter is reserved for it (Go channel order: first come, first served), so GetNowait from another task cannot take it from under the getter; Len and Empty still count it, as qsize and empty do.
import asyncio


async def getter(q, name):
    print(name, "waits")
    v = await q.get()
    print(name, "got", v)


async def main():
    q = asyncio.Queue()
    g = asyncio.create_task(getter(q, "g"))
    await asyncio.sleep(0)
    q.put_nowait(1)
    print("qsize", q.qsize(), "empty", q.empty())
    print("main takes", q.get_nowait())
    print("qsize", q.qsize(), "empty", q.empty())
    await asyncio.sleep(0)
    print("getter still waiting:", not g.done())
    q.put_nowait(2)
    await g
    print("qsize", q.qsize(), "empty", q.empty())


asyncio.run(main())
