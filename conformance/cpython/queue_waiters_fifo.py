# Getters waiting on an empty queue are served in the order they began to wait, and so are putters waiting on a full one.
import asyncio


async def getter(q, name):
    v = await q.get()
    print(name, "got", v)


async def putter(q, v):
    await q.put(v)
    print("put", v)


async def main():
    q = asyncio.Queue(1)
    gs = [asyncio.create_task(getter(q, "g%d" % i)) for i in range(3)]
    await asyncio.sleep(0)
    for v in "abc":
        await q.put(v)
        print("main put", v)
    await asyncio.gather(*gs)
    q.put_nowait("x")
    ps = [asyncio.create_task(putter(q, v)) for v in "123"]
    await asyncio.sleep(0)
    for _ in range(4):
        print("main got", await q.get())
    await asyncio.gather(*ps)
    print("qsize", q.qsize())


asyncio.run(main())
