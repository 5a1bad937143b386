# MicroPython asyncio side of bench/compare.
#
# Runs the five workloads of `go run ./bench/compare` on MicroPython's asyncio
# and prints one line of JSON: {"impl", "version", "samples": {"w1": [...], ...}}.
# Samples are ns per switch (w1, w2), ns per task (w3, w4) and bytes per
# sleeping task (w5), one per repetition; the Go side takes the medians.
#
# Everything is measured inside a task with time.ticks_us / ticks_diff and
# gc.mem_free. Under the WebAssembly build run by Node the ticks only advance
# in whole milliseconds, so every sample is sized to last well over 100 ms.
#
# Sizes come from a dict ARGS defined before this file (bench/compare passes a
# small file ahead of this one on the command line); without it the defaults
# below apply:
#
#   node node_modules/@micropython/micropython-webassembly-pyscript/micropython.mjs \
#       -X heapsize=8m bench_micropython.py
#
# The file must end with exactly "asyncio.run(main())" and a newline: that is
# how the Node command line recognises an asyncio program.

import asyncio
import gc
import json
import sys
import time

try:
    ARGS
except NameError:
    ARGS = {}


def arg(name, default):
    return ARGS.get(name, default)


async def worker(rounds):
    for _ in range(rounds):
        await asyncio.sleep(0)


async def nop():
    pass


async def sleeper():
    await asyncio.sleep(3600)


def elapsed_ns(t0):
    return time.ticks_diff(time.ticks_us(), t0) * 1000


async def switch(tasks, rounds):
    # ns per switch among `tasks` tasks doing sleep(0).
    ts = [asyncio.create_task(worker(rounds)) for _ in range(tasks)]
    await asyncio.sleep(0)  # every task starts and parks at its first sleep
    t0 = time.ticks_us()
    for t in ts:
        await t
    return elapsed_ns(t0) / (tasks * rounds)


async def create_await(n):
    # ns per task: create a task and await it, one at a time.
    t0 = time.ticks_us()
    for _ in range(n):
        await asyncio.create_task(nop())
    return elapsed_ns(t0) / n


async def batch(n, batches):
    # ns per task: create n tasks, then await them all.
    t0 = time.ticks_us()
    for _ in range(batches):
        ts = [asyncio.create_task(nop()) for _ in range(n)]
        for t in ts:
            await t
        ts = None
    return elapsed_ns(t0) / (n * batches)


async def memory(n):
    # Bytes per sleeping task (gc.mem_free delta), then cancel them.
    gc.collect()
    before = gc.mem_free()
    ts = [asyncio.create_task(sleeper()) for _ in range(n)]
    await asyncio.sleep(0)  # all of them start and sleep
    gc.collect()
    after = gc.mem_free()
    for t in ts:
        t.cancel()
    for t in ts:
        try:
            await t
        except asyncio.CancelledError:
            pass
    return (before - after) / n


def scaled(n, f):
    return max(1, int(n * f))


async def run(key, f):
    if key == "w1":
        return await switch(2, scaled(arg("w1_rounds", 10000), f))
    if key == "w2":
        return await switch(arg("w2_tasks", 1000), scaled(arg("w2_rounds", 20), f))
    if key == "w3":
        return await create_await(scaled(arg("w3_tasks", 10000), f))
    if key == "w4":
        return await batch(arg("w4_tasks", 10000), scaled(arg("w4_batches", 1), f))
    return await memory(arg("w5_tasks", 5000))


async def main():
    reps = arg("reps", 5)
    samples = {}
    for key in ("w1", "w2", "w3", "w4", "w5"):
        if key != "w5":
            await run(key, 0.25)  # warm-up
        got = []
        for _ in range(reps):
            got.append(await run(key, 1))
        samples[key] = got
        gc.collect()
    v = sys.implementation.version
    print(json.dumps({
        "impl": "MicroPython",
        "version": "%d.%d.%d" % (v[0], v[1], v[2]),
        "samples": samples,
    }))


asyncio.run(main())
