# Known divergence wait_for-result-early (conformance/fuzz/known_test.go): WaitFor returns as soon as the awaited task finishes; MicroPython's wait_for is woken through its runner task, a scheduling round later, so the tasks ready meanwhile run first.
# - MicroPython, + Go:
#   t0 start
#   t0.1 create t1
#   t1 start
#   t1.1 sleep0
#   t1.2 create t2
#   t1 end
#   t2 start
# - t2.1 sleep0
# - t2 end
#   t0.2 wait_for t1 -> 1
#   t0 end
# + t2.1 sleep0
# + t2 end
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

T = [None] * 3
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
            print("t0.2 wait_for t1: none")
        else:
            r = await asyncio.wait_for(T[1], 0.001)
            print("t0.2 wait_for t1 ->", r)
    except BaseException as e:
        print("t0 exits", en(e))
        raise
    print("t0 end")
    return 0


async def t1():
    print("t1 start")
    try:
        await asyncio.sleep(0)
        print("t1.1 sleep0")
        T[2] = asyncio.create_task(t2())
        print("t1.2 create t2")
    except BaseException as e:
        print("t1 exits", en(e))
        raise
    print("t1 end")
    return 1


async def t2():
    print("t2 start")
    try:
        await asyncio.sleep(0)
        print("t2.1 sleep0")
    except BaseException as e:
        print("t2 exits", en(e))
        raise
    print("t2 end")
    return 2


main = t0
asyncio.run(main())
