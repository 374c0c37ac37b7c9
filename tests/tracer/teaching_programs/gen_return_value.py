# A generator's return value through StopIteration.
# input: 3
def gen(n):
    for i in range(n):
        yield i
    return "done"

def f(n):
    g = gen(n)
    got = []
    while True:
        try:
            got.append(next(g))
        except StopIteration as stop:
            return got, stop.value
