# Tasks that only ever sleep(0) or sleep a negative time do not starve tasks that sleep for real.
# MicroPython test: asyncio_fair.py
import asyncio


async def busy(name, s, counts):
    while True:
        counts[name] += 1
        await asyncio.sleep(s)


async def periodic(name, s, n):
    for i in range(n):
        await asyncio.sleep(s)
        print(name, "tick", i)


async def main():
    counts = {"zero": 0, "negative": 0}
    spinners = [
        asyncio.create_task(busy("zero", 0, counts)),
        asyncio.create_task(busy("negative", -0.5, counts)),
    ]
    slow = asyncio.create_task(periodic("slow", 0.5, 1))
    fast = asyncio.create_task(periodic("fast", 0.2, 3))
    await slow
    await fast
    for t in spinners:
        t.cancel()
    await asyncio.sleep(0)
    print("spinners ran:", counts["zero"] > 3, counts["negative"] > 3)


asyncio.run(main())
