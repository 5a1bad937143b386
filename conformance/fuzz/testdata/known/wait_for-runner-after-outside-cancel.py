# Known divergence wait_for-runner-after-outside-cancel (conformance/fuzz/known_test.go): a documented difference (docs/differences.md): when a wait_for is cancelled from outside after its work has finished but before its runner task ran, MicroPython's runner still runs and, finding the task asleep elsewhere, cancels it again (here at the sleep in its finally block): one cancel delivered twice; here a cancel is delivered once.
# - MicroPython, + Go:
#   t0 start
#   t0.1 create t1
#   t1 start
#   t1 end
#   t2 start
#   t2.1 create t3
#   t3 start
#   t3.1 cancel t0 True
#   t3 end
#   t2.2 sleep0
#   t2 end
#   t0.2 finally
# + t0.4 sleep0
#   t0 exits CancelledError
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
        try:
            r = await asyncio.wait_for(t2(), 0.001)
            print("t0.3 wait_for t2() ->", r)
        finally:
            print("t0.2 finally")
            await asyncio.sleep(0)
            print("t0.4 sleep0")
    except BaseException as e:
        print("t0 exits", en(e))
        raise
    print("t0 end")
    return 0


async def t1():
    print("t1 start")
    try:
        pass
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
        if T[0] is None:
            print("t3.1 cancel t0: none")
        else:
            try:
                print("t3.1 cancel t0", T[0].cancel())
            except RuntimeError as e:
                print("t3.1 cancel t0", en(e))
    except BaseException as e:
        print("t3 exits", en(e))
        raise
    print("t3 end")
    return 3


main = t0
asyncio.run(main())
