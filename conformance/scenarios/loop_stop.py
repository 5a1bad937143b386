# loop.stop() makes run_forever return once the running task yields; calling run_forever again resumes where it stopped.
# MicroPython test: asyncio_loop_stop.py, asyncio_new_event_loop.py
# Reference: loop_stop.exp (the npm build has no run_forever or stop)
import asyncio


async def helper():
    print("helper runs")


async def main():
    print("main start")
    loop.stop()
    loop.stop()
    print("main yields after stop")
    await asyncio.sleep(0)
    print("main resumed")
    loop.stop()
    loop.create_task(helper())
    await asyncio.sleep(0)
    print("main resumed again")
    await asyncio.sleep(0.01)
    print("main end")
    loop.stop()


loop = asyncio.new_event_loop()
loop.create_task(main())
for i in range(3):
    print("run_forever", i)
    loop.run_forever()
print("done")
