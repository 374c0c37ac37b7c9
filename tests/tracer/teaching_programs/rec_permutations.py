# Recursion: all orderings of a word's letters.
# input: "abc"
def perms(s):
    if len(s) <= 1:
        return [s]
    out = []
    for i, ch in enumerate(s):
        for rest in perms(s[:i] + s[i + 1:]):
            out.append(ch + rest)
    return out
