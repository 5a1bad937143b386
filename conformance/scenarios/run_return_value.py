# asyncio.run returns what main returns, as soon as main returns, without waiting for other tasks.
# MicroPython test: asyncio_basic2.py
# Reference: run_return_value.exp (the npm build's asyncio.run neither blocks nor returns main's value)
import asyncio


async def forever():
    print("forever start")
    await asyncio.sleep(10)
    print("forever end")


async def main():
    print("main start")
    asyncio.create_task(forever())
    await asyncio.sleep(0.01)
    print("main returns")
    return 42


print("run returned", asyncio.run(main()))
