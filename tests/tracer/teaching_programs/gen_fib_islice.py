# An infinite generator cut with islice.
# input: 10
from itertools import islice

def fibs():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b

def f(n):
    return list(islice(fibs(), n))
