# Bubble sort, counting swaps.
# input: [5, 1, 4, 2, 8]
def f(xs):
    xs = list(xs)
    swaps = 0
    for end in range(len(xs) - 1, 0, -1):
        for i in range(end):
            if xs[i] > xs[i + 1]:
                xs[i], xs[i + 1] = xs[i + 1], xs[i]
                swaps += 1
    return xs, swaps
