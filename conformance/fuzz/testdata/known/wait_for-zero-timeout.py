# Known divergence wait_for-zero-timeout (conformance/fuzz/known_test.go): WaitFor with a timeout of 0 arms a timer, which fires a scheduling round after the tasks ready now; MicroPython's wait_for sleeps 0, a plain yield, so its timeout comes first: it cancels the awaited task and raises TimeoutError where WaitFor returns the task's result.
# - MicroPython, + Go:
#   t0 start
#   t0.1 create t1
#   t0.2 create t2
#   t0 end
#   t1 start
#   t2 start
#   t2.1 create t3
#   t1.1 sleep0
#   t3 start
#   t2.2 sleep0
#   t2 end
# - t3 exits CancelledError
# - t1 exits TimeoutError
# - handler A: Task exception wasn't retrieved TimeoutError
# + t3.1 sleep0
# + t3 end
# + t1.2 wait_for t3 -> 3
# + t1 end
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

T = [None] * 4
E = [asyncio.Event() for _ in range(0)]
L = [asyncio.Lock() for _ in range(0)]


async def t0():
    T[0] = asyncio.current_task()
    asyncio.get_event_loop().set_exception_handler(hA)
    print("t0 start")
    try:
        T[1] = asyncio.create_task(t1())
        print("t0.1 create t1")
        T[2] = asyncio.create_task(t2())
        print("t0.2 create t2")
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
        if T[3] is None:
            print("t1.2 wait_for t3: none")
        else:
            r = await asyncio.wait_for(T[3], 0)
            print("t1.2 wait_for t3 ->", r)
    except BaseException as e:
        print("t1 exits", en(e))
        raise
    print("t1 end")
    return 1


async def t2():
    print("t2 start")
    try:
        T[3] = asyncio.create_task(t3())
        print("t2.1 create t3")
        await asyncio.sleep(0)
        print("t2.2 sleep0")
    except BaseException as e:
        print("t2 exits", en(e))
        raise
    print("t2 end")
    return 2


async def t3():
    print("t3 start")
    try:
        await asyncio.sleep(0)
        print("t3.1 sleep0")
    except BaseException as e:
        print("t3 exits", en(e))
        raise
    print("t3 end")
    return 3


main = t0
asyncio.run(main())
