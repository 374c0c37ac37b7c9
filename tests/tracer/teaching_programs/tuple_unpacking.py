# Star unpacking and swaps.
# input: [1, 2, 3, 4, 5]
def f(xs):
    first, *middle, last = xs
    a, b = first, last
    a, b = b, a
    return a, middle, b
