# loop.run_until_complete runs the loop until one coroutine is done and returns its value; tasks still pending resume when the loop runs again.
# MicroPython test: asyncio_get_event_loop.py, asyncio_wait_for_linked_task.py
# Reference: loop_run_until_complete.exp (the npm build has no run_until_complete)
import asyncio


async def background():
    for i in range(6):
        print("background", i)
        await asyncio.sleep(0.05)
    return "background"


async def job(name, s):
    print(name, "start")
    await asyncio.sleep(s)
    print(name, "end")
    return name


loop = asyncio.new_event_loop()
bg = loop.create_task(background())
print("first run:", loop.run_until_complete(job("one", 0.075)))
print("second run:", loop.run_until_complete(job("two", 0.1)))
print("background:", loop.run_until_complete(bg))
