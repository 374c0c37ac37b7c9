# Nested list comprehension with a filter.
# input: 4
def f(n):
    return [(i, j) for i in range(n) for j in range(i) if (i + j) % 2]
