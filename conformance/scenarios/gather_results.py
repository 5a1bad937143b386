# gather runs its awaitables concurrently and returns their results in argument order; gather() of nothing returns [].
# MicroPython test: asyncio_gather.py
import asyncio


async def count_up(name, n):
    total = 0
    for i in range(1, n + 1):
        print(name, "step", i)
        total += i
        await asyncio.sleep(0.02)
    print(name, "total", total)
    return total


async def main():
    print(await asyncio.gather(count_up("A", 1), count_up("B", 3), count_up("C", 2)))
    print(await asyncio.gather())


asyncio.run(main())
