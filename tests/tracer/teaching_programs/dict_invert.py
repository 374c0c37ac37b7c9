# Invert a dict into groups.
# input: {"a": 1, "b": 2, "c": 1}
def f(d):
    out = {}
    for k, v in d.items():
        out.setdefault(v, []).append(k)
    return out
