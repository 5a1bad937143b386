# join returns once every item put has been marked done with task_done; task_done once too often raises ValueError.
import asyncio


async def worker(q, name):
    while True:
        v = await q.get()
        for _ in range(v):
            await asyncio.sleep(0)
        print(name, "done with", v)
        q.task_done()


async def main():
    q = asyncio.Queue()
    await q.join()
    print("join on a new queue returns at once")
    for v in (1, 2, 3):
        q.put_nowait(v)
    ws = [asyncio.create_task(worker(q, "w%d" % i)) for i in range(2)]
    await q.join()
    print("joined; qsize", q.qsize())
    for w in ws:
        w.cancel()
    res = await asyncio.gather(*ws, return_exceptions=True)
    print("workers:", [type(r).__name__ for r in res])
    try:
        q.task_done()
    except ValueError:
        print("ValueError")


asyncio.run(main())
