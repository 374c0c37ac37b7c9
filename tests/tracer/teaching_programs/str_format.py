# String formatting.
# input: 3.14159, 42
def f(x, n):
    return f"{x:.2f}|{n:>5}|{n:05d}|{n:x}|{x:e}"
