# Known divergence lock-release-handoff (conformance/fuzz/known_test.go): Lock.Release succeeds while the lock is being handed to a waiter that has not resumed yet; MicroPython raises RuntimeError("Lock not acquired").
# - MicroPython, + Go:
#   t0 start
#   t0.1 acquired l0 True
#   t0.2 create t1
#   t1 start
#   t0.3 sleep0
#   t0.4 released l0 False
# - t0.5 release l0 RuntimeError:Lock not acquired
# + t0.5 released l0 False
#   t0 end
#   t1.1 acquired l0 True
#   t1 end
# - end: [] [] [True]
# + end: [] [] [False]
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
L = [asyncio.Lock() for _ in range(1)]


async def t0():
    T[0] = asyncio.current_task()
    asyncio.get_event_loop().set_exception_handler(hA)
    print("t0 start")
    try:
        r = await L[0].acquire()
        print("t0.1 acquired l0", r)
        T[1] = asyncio.create_task(t1())
        print("t0.2 create t1")
        await asyncio.sleep(0)
        print("t0.3 sleep0")
        try:
            L[0].release()
            print("t0.4 released l0", L[0].locked())
        except RuntimeError as e:
            print("t0.4 release l0", en(e))
        try:
            L[0].release()
            print("t0.5 released l0", L[0].locked())
        except RuntimeError as e:
            print("t0.5 release l0", en(e))
    except BaseException as e:
        print("t0 exits", en(e))
        raise
    print("t0 end")
    return 0


async def t1():
    print("t1 start")
    try:
        r = await L[0].acquire()
        print("t1.1 acquired l0", r)
    except BaseException as e:
        print("t1 exits", en(e))
        raise
    print("t1 end")
    return 1


main = t0
asyncio.run(main())
