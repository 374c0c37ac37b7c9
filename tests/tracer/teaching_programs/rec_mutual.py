# Mutual recursion.
# input: 7
def is_even(n):
    return True if n == 0 else is_odd(n - 1)

def is_odd(n):
    return False if n == 0 else is_even(n - 1)

def f(n):
    return is_even(n), is_odd(n)
