# An exception translated into another.
# input: "abc"
def parse(s):
    try:
        return int(s)
    except ValueError:
        raise LookupError(f"no number in {s!r}") from None

def f(s):
    return parse(s) + 1
