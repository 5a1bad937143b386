# Tasks that keep cancelling each other still let every other task take its turn.
# MicroPython test: asyncio_cancel_fair.py
import asyncio

tasks = []


async def rival(me, other):
    for i in range(3):
        try:
            print(me, "turn", i)
            await asyncio.sleep(0)
            print(me, "slept")
        except asyncio.CancelledError:
            print(me, "was cancelled")
        if other is not None:
            print(me, "cancels", other)
            tasks[other].cancel()


async def main():
    tasks.append(asyncio.create_task(rival(0, 1)))
    tasks.append(asyncio.create_task(rival(1, 0)))
    tasks.append(asyncio.create_task(rival(2, None)))
    await tasks[2]
    print("bystander finished")
    await tasks[0]
    await tasks[1]


asyncio.run(main())
