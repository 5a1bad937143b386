# Queue, LifoQueue and PriorityQueue give values back first-in first-out, last-in first-out and smallest first; qsize, empty, full, maxsize and the nowait errors.
import asyncio


async def main():
    queues = [
        ("Queue", asyncio.Queue(3)),
        ("LifoQueue", asyncio.LifoQueue(3)),
        ("PriorityQueue", asyncio.PriorityQueue(3)),
    ]
    for name, q in queues:
        print(name, "maxsize", q.maxsize, "empty", q.empty(), "full", q.full())
        for v in (2, 3, 1):
            await q.put(v)
        print("qsize", q.qsize(), "empty", q.empty(), "full", q.full())
        try:
            q.put_nowait(4)
        except asyncio.QueueFull:
            print("QueueFull")
        got = [await q.get(), q.get_nowait(), q.get_nowait()]
        print("got", got, "empty", q.empty())
        try:
            q.get_nowait()
        except asyncio.QueueEmpty:
            print("QueueEmpty")
    q = asyncio.Queue()
    for v in range(100):
        q.put_nowait(v)
    print("unbounded maxsize", q.maxsize, "qsize", q.qsize(), "full", q.full())


asyncio.run(main())
