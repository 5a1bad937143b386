# An exception raised by main comes out of asyncio.run; a task main created but never yielded to does not run; run can be called again.
# MicroPython test: asyncio_exception.py
# Reference: run_main_raises.exp (the npm build's asyncio.run does not block, so nothing comes out of it)
# CPython differs: In CPython the task main creates is scheduled at once and takes its first step in the loop turn where main ends, before asyncio.run cancels what is left; MicroPython's run returns as soon as main ends, so the task never runs.
import asyncio


async def never():
    print("never runs")


async def main(n):
    print("main", n, "start")
    if n == 2:
        asyncio.create_task(never())
    raise ValueError("main", n)


for n in (1, 2):
    try:
        asyncio.run(main(n))
    except ValueError as er:
        print("run raised", repr(er))
print("end")
