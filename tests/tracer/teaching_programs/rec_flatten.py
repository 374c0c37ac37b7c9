# Recursion over nested lists.
# input: [1, [2, [3, 4], 5], [[6]], 7]
def flatten(xs):
    out = []
    for x in xs:
        if isinstance(x, list):
            out.extend(flatten(x))
        else:
            out.append(x)
    return out
