# Set algebra.
# input: [1, 2, 3, 4], [3, 4, 5]
def f(a, b):
    a, b = set(a), set(b)
    return sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b)
