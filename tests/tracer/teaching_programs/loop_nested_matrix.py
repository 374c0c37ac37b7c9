# Matrix product with nested loops.
# input: [[1, 2], [3, 4]], [[5, 6], [7, 8]]
def f(a, b):
    n, m, p = len(a), len(b), len(b[0])
    c = [[0] * p for _ in range(n)]
    for i in range(n):
        for j in range(p):
            for k in range(m):
                c[i][j] += a[i][k] * b[k][j]
    return c
