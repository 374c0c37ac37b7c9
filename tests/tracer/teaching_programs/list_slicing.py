# Slices and slice assignment.
# input: [0, 1, 2, 3, 4, 5, 6, 7]
def f(xs):
    xs = list(xs)
    evens = xs[::2]
    xs[1:3] = ["a", "b", "c"]
    del xs[-2:]
    return evens, xs
