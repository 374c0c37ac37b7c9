# A generator that receives values with send().
# input: [5, 3, 10]
def running_total():
    total = 0
    while True:
        x = yield total
        total += x

def f(xs):
    g = running_total()
    next(g)
    seen = [g.send(x) for x in xs]
    return seen
