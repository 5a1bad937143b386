# A getter waiting on a LifoQueue gets the newest of the items put before it runs, since they stay in the queue until then.
import asyncio


async def main():
    q = asyncio.LifoQueue()
    g = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    for v in (1, 2, 3):
        q.put_nowait(v)
    print("qsize", q.qsize())
    print("getter got", await g)
    print("left", [q.get_nowait() for _ in range(q.qsize())])


asyncio.run(main())
