# map, filter and reduce.
# input: [1, 2, 3, 4, 5, 6]
from functools import reduce

def f(xs):
    doubled = list(map(lambda x: x * 2, xs))
    big = list(filter(lambda x: x > 6, doubled))
    return reduce(lambda a, b: a * b, big, 1)
