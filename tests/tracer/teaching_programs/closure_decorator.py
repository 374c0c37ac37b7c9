# A decorator that counts calls.
# input: 
def counted(fn):
    def wrapper(*args):
        wrapper.calls += 1
        return fn(*args)
    wrapper.calls = 0
    return wrapper

@counted
def square(x):
    return x * x

def f():
    total = sum(square(i) for i in range(4))
    return total, square.calls
