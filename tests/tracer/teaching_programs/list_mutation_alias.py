# Aliasing: two names, one list.
# input: [1, 2]
def f(xs):
    ys = xs
    zs = list(xs)
    ys.append(3)
    zs.append(4)
    return xs, ys, zs, xs is ys
