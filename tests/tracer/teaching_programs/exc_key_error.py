# A missing key.
# input: {"a": 1}, "b"
def f(d, key):
    return d[key] * 2
