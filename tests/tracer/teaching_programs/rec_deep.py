# Recursion 200 frames deep.
# input: 200
def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)
