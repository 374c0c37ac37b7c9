# A custom exception class raised from deep down.
# input: -4
class NegativeError(Exception):
    pass

def check(x):
    if x < 0:
        raise NegativeError(f"{x} is negative")
    return x

def f(x):
    return check(x) ** 0.5
