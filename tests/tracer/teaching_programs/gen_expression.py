# A generator expression consumed twice.
# input: [4, 9, 16]
def f(xs):
    g = (x // 2 for x in xs)
    first = list(g)
    second = list(g)
    return first, second
