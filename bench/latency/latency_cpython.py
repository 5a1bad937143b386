"""CPython's side of bench/latency: python3 latency_cpython.py SCENARIO N SECONDS.

Prints one JSON line: latencies in µs (p50, p99, p999, max, n) or, for
idle, the CPU milliseconds per 10 s. The same workloads as the Go child.
"""
import asyncio
import json
import random
import resource
import sys
import threading
import time

PERIOD = 0.001
BG_PERIOD = 0.010


def summarize(s):
    s.sort()
    at = lambda q: s[min(int(q * len(s)), len(s) - 1)] * 1e6
    return {"P50": at(0.5), "P99": at(0.99), "P999": at(0.999), "Max": s[-1] * 1e6, "N": len(s)}


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def bg(i, n):
    await asyncio.sleep(BG_PERIOD * i / n)
    while True:
        await asyncio.sleep(BG_PERIOD)


async def periodic(n, dur):
    tasks = [asyncio.create_task(bg(i, n)) for i in range(n)]
    await asyncio.sleep(0.05)
    lat = []
    start = time.monotonic()
    k = 1
    while k * PERIOD <= dur:
        nxt = start + k * PERIOD
        await asyncio.sleep(nxt - time.monotonic())
        lat.append(time.monotonic() - nxt)
        k += 1
    for t in tasks:
        t.cancel()
    return summarize(lat)


async def interrupt(n, dur):
    tasks = [asyncio.create_task(bg(i, n)) for i in range(n)]
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    ev = asyncio.Event()
    t0 = [0.0]
    stop = threading.Event()

    def interrupter():
        r = random.Random(1)
        while not stop.is_set():
            time.sleep(0.0005 + r.randrange(1000) * 1e-6)
            t0[0] = time.perf_counter()
            loop.call_soon_threadsafe(ev.set)

    th = threading.Thread(target=interrupter)
    th.start()
    lat = []
    end = time.monotonic() + dur
    while time.monotonic() < end:
        await ev.wait()
        ev.clear()
        lat.append(time.perf_counter() - t0[0])
    stop.set()
    th.join()
    for t in tasks:
        t.cancel()
    return summarize(lat)


async def idle(dur):
    async def sleeper(i):
        await asyncio.sleep(i / 100)
        while True:
            await asyncio.sleep(1)

    tasks = [asyncio.create_task(sleeper(i)) for i in range(100)]
    await asyncio.sleep(0.1)
    c0 = cpu()
    await asyncio.sleep(dur)
    c = cpu() - c0
    for t in tasks:
        t.cancel()
    return {"CPUms": c * 1e3 * 10 / dur}


def main():
    scenario, n, dur = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    if scenario == "periodic":
        r = asyncio.run(periodic(n, dur))
    elif scenario == "interrupt":
        r = asyncio.run(interrupt(n, dur))
    else:
        r = asyncio.run(idle(dur))
    print(json.dumps(r))


main()
