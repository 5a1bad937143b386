# MicroPython 1.27 crashes here (RuntimeError: memory access out of bounds), with the npm
# WebAssembly build's asyncio and with the board's extmod/asyncio alike: t failed and was
# queued for the exception handler; main awaits it before that turn, which marks it awaited,
# so the handler's turn leaves None as its result; other's await then raises None.
# The fuzzer skips programs that crash MicroPython so (see mpCrash in fuzz_test.go).
import asyncio

async def fail():
    raise ValueError("x")

async def other(t):
    await asyncio.sleep(0)
    try:
        await t
    except BaseException as e:
        print("other", repr(e))

async def main():
    t = asyncio.create_task(fail())
    o = asyncio.create_task(other(t))
    await asyncio.sleep(0)
    try:
        await t
    except ValueError as e:
        print("main got", repr(e))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("main end")

asyncio.run(main())
