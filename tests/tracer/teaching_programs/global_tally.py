# A global counter changed by a function.
# input: [3, 1, 4, 1, 5]
TALLY = 0

def add(x):
    global TALLY
    TALLY += x

def f(xs):
    for x in xs:
        add(x)
    return TALLY
