# A loop of a million iterations.
# input: 1000000
def f(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total
