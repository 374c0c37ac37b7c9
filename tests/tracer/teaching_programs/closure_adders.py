# Closures capture variables, not values.
# input: 3
def f(n):
    late = [lambda x: x + i for i in range(n)]
    bound = [lambda x, i=i: x + i for i in range(n)]
    return [g(10) for g in late], [g(10) for g in bound]
