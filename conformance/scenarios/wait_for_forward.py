# A task awaiting wait_for is cancelled from outside: the cancellation reaches the awaited work, whether each level re-raises it or swallows it.
# MicroPython test: asyncio_wait_for_fwd.py
# CPython differs: Only the order: CPython runs the inner coroutine's CancelledError handler before the task that called wait_for sees CancelledError; MicroPython the other way round.
import asyncio


async def work(swallow):
    try:
        print("work started")
        await asyncio.sleep(2)
    except asyncio.CancelledError:
        print("work cancelled")
        if swallow:
            return "swallowed"
        raise


async def middle(swallow_work, swallow_here):
    try:
        await asyncio.wait_for(work(swallow_work), 1)
        print("middle finished")
    except asyncio.TimeoutError:
        print("middle timed out")
        raise
    except asyncio.CancelledError:
        print("middle cancelled")
        if not swallow_here:
            raise


async def case(swallow_work, swallow_here):
    print("-- work swallows:", swallow_work, "middle swallows:", swallow_here)
    t = asyncio.create_task(middle(swallow_work, swallow_here))
    for _ in range(5):  # let it start and reach its sleep
        await asyncio.sleep(0)
    print("cancelling middle")
    t.cancel()
    try:
        await t
        print("middle returned")
    except asyncio.CancelledError:
        print("middle ended cancelled")
    await asyncio.sleep(0.01)


async def main():
    await case(False, False)
    await case(True, False)
    await case(True, True)
    await case(False, True)


asyncio.run(main())
