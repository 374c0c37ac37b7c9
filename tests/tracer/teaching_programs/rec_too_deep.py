# Recursion with no base case: CPython stops it.
# input: 3
def f(n):
    return f(n + 1)
