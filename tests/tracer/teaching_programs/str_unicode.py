# Unicode strings: length, upper, encode.
# input: "straße café"
def f(s):
    return len(s), s.upper(), len(s.encode("utf-8"))
