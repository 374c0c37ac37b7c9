# A coroutine driven by hand (no event loop).
# input: 2, 3
async def add(a, b):
    return a + b

async def twice(a, b):
    first = await add(a, b)
    return await add(first, first)

def f(a, b):
    coro = twice(a, b)
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
