# Chained generators.
# input: 20
def evens(n):
    for i in range(n):
        if i % 2 == 0:
            yield i

def squares(xs):
    for x in xs:
        yield x * x

def f(n):
    return sum(squares(evens(n)))
