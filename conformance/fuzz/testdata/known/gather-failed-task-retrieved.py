# Known divergence gather-failed-task-retrieved (conformance/fuzz/known_test.go): Gather and GatherErrors count a task that has already failed as retrieved, so its error never reaches the exception handler; MicroPython's gather leaves such a task as it is, and the handler still gets "Task exception wasn't retrieved" at the task's turn.
# - MicroPython, + Go:
#   t0 start
#   t0.1 create t1
#   t1 start
#   t1.1 raise
#   t1 exits ValueError:t1.1
#   t0.2 sleep0
#   t0 exits ValueError:t1.1
# - handler A: Task exception wasn't retrieved ValueError:t1.1
#   end: [] [] []
import asyncio

def en(e):
    if isinstance(e, ValueError):
        return "ValueError:" + str(e.args[0])
    if isinstance(e, RuntimeError):
        return "RuntimeError:" + str(e)
    return type(e).__name__


def res(r):
    return [en(x) if isinstance(x, BaseException) else x for x in r]


def hA(loop, ctx):
    print("handler A:", ctx["message"], en(ctx["exception"]))


def hB(loop, ctx):
    print("handler B:", ctx["message"], en(ctx["exception"]))


def _fin():
    pending = ["t%d" % j for j in range(len(T)) if T[j] is not None and not T[j].done()]
    print("end:", pending, [e.is_set() for e in E], [l.locked() for l in L])

T = [None] * 2
E = [asyncio.Event() for _ in range(0)]
L = [asyncio.Lock() for _ in range(0)]


async def t0():
    T[0] = asyncio.current_task()
    asyncio.get_event_loop().set_exception_handler(hA)
    print("t0 start")
    try:
        T[1] = asyncio.create_task(t1())
        print("t0.1 create t1")
        await asyncio.sleep(0)
        print("t0.2 sleep0")
        if T[1] is None:
            print("t0.3 gather t1: none")
        else:
            r = await asyncio.gather(T[1])
            print("t0.3 gather t1 ->", res(r))
    except BaseException as e:
        print("t0 exits", en(e))
        raise
    print("t0 end")
    return 0


async def t1():
    print("t1 start")
    try:
        print("t1.1 raise")
        raise ValueError("t1.1")
    except BaseException as e:
        print("t1 exits", en(e))
        raise
    print("t1 end")
    return 1


main = t0
asyncio.run(main())
