# Sorting with keys and stability.
# input: [("bob", 3), ("amy", 1), ("cat", 3), ("dan", 2)]
def f(pairs):
    by_score = sorted(pairs, key=lambda p: p[1], reverse=True)
    return [name for name, _ in by_score]
