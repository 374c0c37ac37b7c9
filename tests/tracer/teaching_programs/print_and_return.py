# A function that prints and returns.
# input: 3
def f(n):
    for i in range(n):
        print("line", i, end="; ")
    print()
    return n * n
