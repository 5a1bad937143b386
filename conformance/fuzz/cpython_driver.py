# Runs the fuzzer's MicroPython programs under CPython 3.11, many in one
# process, on a virtual clock: the CPython side of fuzz_test.go's agreement
# count.
#
# It reads one JSON object a line on stdin, {"src": "..."}, and answers each
# with one line on stdout, {"out": "...", "stderr": "...", "err": "..."}, as
# ../tools/fuzz-runner.mjs does for MicroPython. sleep_ms and wait_for_ms,
# MicroPython's extensions, are shimmed with sleep and wait_for. Like the
# MicroPython runner, it runs main as a task and then every task until none
# can run any more (CPython's asyncio.run would cancel them once main
# returns), then calls the program's _fin().
#
# Time is virtual: the loop's clock is a number that jumps to the next timer
# whenever no callback is ready, and a loop with nothing ready and no timer
# has nothing left to run.
import asyncio
import contextlib
import gc
import io
import json
import selectors
import sys


def _sleep_ms(ms):
    return asyncio.sleep(max(0, ms) / 1000)


def _wait_for_ms(aw, ms):
    return asyncio.wait_for(aw, ms / 1000)


asyncio.sleep_ms = _sleep_ms
asyncio.wait_for_ms = _wait_for_ms


class Quiet(Exception):
    """Nothing is ready and no timer is pending: no task can run any more."""


class VirtualSelector(selectors.SelectSelector):
    def __init__(self):
        super().__init__()
        self.loop = None

    def select(self, timeout=None):
        if timeout is None:
            raise Quiet
        if timeout > 0:
            self.loop.now += timeout
        return []


class VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        self.now = 0.0
        selector = VirtualSelector()
        super().__init__(selector)
        selector.loop = self

    def time(self):
        return self.now


def run(src):
    body = src.rstrip("\n")
    last = "asyncio.run(main())"
    if body.endswith(last):
        body = body[: -len(last)]
    out, err = io.StringIO(), io.StringIO()
    problem = ""
    loop = VirtualLoop()
    asyncio.set_event_loop(loop)
    g = {"__name__": "__fuzz__"}
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            exec(compile(body, "<program>", "exec"), g)
            main = loop.create_task(g["main"]())
            try:
                loop.run_until_complete(main)
            except Quiet:
                pass
            except BaseException:
                pass  # main's exception is printed by the program itself
            try:
                loop.run_forever()
            except Quiet:
                pass
            g["_fin"]()
        except BaseException as e:
            problem = "%s: %s" % (type(e).__name__, e)
    # What the program's leftovers print as they are collected (CPython calls
    # the exception handler for an unretrieved exception only then) comes
    # after its last line, and is not part of its output.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        g.clear()
        gc.collect()
        asyncio.set_event_loop(None)
        loop.close()
    return {"out": out.getvalue(), "stderr": err.getvalue(), "err": problem}


for line in sys.stdin:
    if not line.strip():
        continue
    reply = run(json.loads(line)["src"])
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
