# A generator function.
# input: 4
def countdown(n):
    while n > 0:
        yield n
        n -= 1

def f(n):
    return list(countdown(n))
