# Floating point surprises.
# input: 
def f():
    return 0.1 + 0.2, 0.1 + 0.2 == 0.3, round(2.5), round(3.5), 7 // -2, -7 % 3
