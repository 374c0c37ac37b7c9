# yield from a nested structure.
# input: [1, [2, 3], [[4]]]
def walk(xs):
    for x in xs:
        if isinstance(x, list):
            yield from walk(x)
        else:
            yield x

def f(xs):
    return list(walk(xs))
