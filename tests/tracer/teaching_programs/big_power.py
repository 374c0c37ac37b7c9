# A big integer power.
# input: 10000
def f(n):
    return 2 ** n
