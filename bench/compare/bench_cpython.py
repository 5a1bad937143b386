"""CPython asyncio side of bench/compare.

Runs the five workloads of `go run ./bench/compare` on CPython's asyncio and
prints one line of JSON: {"impl", "version", "samples": {"w1": [...], ...}}.
Samples are ns per switch (w1, w2), ns per task (w3, w4) and bytes per
sleeping task (w5), one per repetition; the Go side takes the medians.

    python3 bench/compare/bench_cpython.py --reps 5
"""

import argparse
import asyncio
import gc
import json
import platform
import time
import tracemalloc


async def worker(rounds):
    for _ in range(rounds):
        await asyncio.sleep(0)


async def nop():
    pass


async def sleeper():
    await asyncio.sleep(3600)


async def switch(tasks, rounds):
    """ns per switch among `tasks` tasks doing sleep(0)."""
    ts = [asyncio.create_task(worker(rounds)) for _ in range(tasks)]
    await asyncio.sleep(0)  # every task starts and parks at its first sleep
    t0 = time.perf_counter_ns()
    for t in ts:
        await t
    return (time.perf_counter_ns() - t0) / (tasks * rounds)


async def create_await(n):
    """ns per task: create a task and await it, one at a time."""
    t0 = time.perf_counter_ns()
    for _ in range(n):
        await asyncio.create_task(nop())
    return (time.perf_counter_ns() - t0) / n


async def batch(n, batches):
    """ns per task: create n tasks, then await them all."""
    t0 = time.perf_counter_ns()
    for _ in range(batches):
        ts = [asyncio.create_task(nop()) for _ in range(n)]
        for t in ts:
            await t
    return (time.perf_counter_ns() - t0) / (n * batches)


async def memory(n):
    """Bytes per sleeping task (tracemalloc), then cancel them."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    ts = [asyncio.create_task(sleeper()) for _ in range(n)]
    await asyncio.sleep(0)  # all of them start and sleep
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    for t in ts:
        t.cancel()
    for t in ts:
        try:
            await t
        except asyncio.CancelledError:
            pass
    return (after - before) / n


async def main(a):
    runs = {
        "w1": lambda f: switch(2, max(1, int(a.w1_rounds * f))),
        "w2": lambda f: switch(a.w2_tasks, max(1, int(a.w2_rounds * f))),
        "w3": lambda f: create_await(max(1, int(a.w3_tasks * f))),
        "w4": lambda f: batch(a.w4_tasks, max(1, int(a.w4_batches * f))),
        "w5": lambda f: memory(a.w5_tasks),
    }
    samples = {}
    for key, run in runs.items():
        if key != "w5":
            await run(0.25)  # warm-up
        samples[key] = [await run(1) for _ in range(a.reps)]
    return samples


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--w1-rounds", type=int, default=25000)
    p.add_argument("--w2-tasks", type=int, default=1000)
    p.add_argument("--w2-rounds", type=int, default=50)
    p.add_argument("--w3-tasks", type=int, default=10000)
    p.add_argument("--w4-tasks", type=int, default=10000)
    p.add_argument("--w4-batches", type=int, default=1)
    p.add_argument("--w5-tasks", type=int, default=20000)
    args = p.parse_args()
    result = asyncio.run(main(args))
    print(json.dumps({
        "impl": "CPython",
        "version": platform.python_version(),
        "samples": result,
    }))
