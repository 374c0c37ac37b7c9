# The digits of 100!.
# input: 100
def f(n):
    p = 1
    for i in range(2, n + 1):
        p *= i
    return sum(int(d) for d in str(p)), len(str(p))
