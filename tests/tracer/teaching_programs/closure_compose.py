# Composing functions.
# input: 5
def compose(g, h):
    def both(x):
        return g(h(x))
    return both

def f(x):
    inc = lambda v: v + 1
    dbl = lambda v: v * 2
    return compose(inc, dbl)(x), compose(dbl, inc)(x)
