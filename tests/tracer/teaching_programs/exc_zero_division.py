# An uncaught exception is the outcome.
# input: [3, 2, 1, 0]
def f(xs):
    return [12 // x for x in xs]
