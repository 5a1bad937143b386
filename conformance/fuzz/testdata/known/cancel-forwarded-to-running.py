# Known divergence cancel-forwarded-to-running (conformance/fuzz/known_test.go): a documented difference (docs/differences.md, scenario cancel_own_awaiter), not a bug: a cancel forwarded along an await chain to the task that is running (t1 cancels t0, which awaits t1) is delivered at that task's next await point; in MicroPython it is lost, since the task's next await overwrites it, though cancel() returns True.
# - MicroPython, + Go:
#   t0 start
#   t0.1 create t1
#   t1 start
#   t1.1 cancel t0 True
# - t1.2 sleep0
# - t1 end
# - t0.2 await t1 -> 1
# - t0 end
# + t1 exits CancelledError
# + t0 exits CancelledError
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
        if T[1] is None:
            print("t0.2 await t1: none")
        else:
            r = await T[1]
            print("t0.2 await t1 ->", r)
    except BaseException as e:
        print("t0 exits", en(e))
        raise
    print("t0 end")
    return 0


async def t1():
    print("t1 start")
    try:
        if T[0] is None:
            print("t1.1 cancel t0: none")
        else:
            try:
                print("t1.1 cancel t0", T[0].cancel())
            except RuntimeError as e:
                print("t1.1 cancel t0", en(e))
        await asyncio.sleep(0)
        print("t1.2 sleep0")
    except BaseException as e:
        print("t1 exits", en(e))
        raise
    print("t1 end")
    return 1


main = t0
asyncio.run(main())
