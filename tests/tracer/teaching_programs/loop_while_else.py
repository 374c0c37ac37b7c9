# for/else and break.
# input: [3, 5, 7, 9], 7
def f(xs, target):
    for i, x in enumerate(xs):
        if x == target:
            found = i
            break
    else:
        found = -1
    return found
