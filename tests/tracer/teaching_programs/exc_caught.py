# Exceptions caught and counted.
# input: ["1", "x", "3", "", "5"]
def f(items):
    good, bad = 0, []
    for s in items:
        try:
            good += int(s)
        except ValueError as e:
            bad.append(str(e))
    return good, bad
