# Recursive binary search.
# input: [1, 3, 5, 7, 9, 11, 13], 11
def find(xs, target, lo=0, hi=None):
    if hi is None:
        hi = len(xs) - 1
    if lo > hi:
        return -1
    mid = (lo + hi) // 2
    if xs[mid] == target:
        return mid
    if xs[mid] < target:
        return find(xs, target, mid + 1, hi)
    return find(xs, target, lo, mid - 1)
