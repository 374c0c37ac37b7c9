# Sets of strings printed sorted and unsorted.
# input: ["pear", "apple", "fig", "apple", "pear"]
def f(words):
    unique = set(words)
    print(sorted(unique))
    return len(unique)
