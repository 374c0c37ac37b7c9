# defaultdict groups anagrams.
# input: ["tea", "eat", "tan", "ate", "nat", "bat"]
from collections import defaultdict

def f(words):
    groups = defaultdict(list)
    for w in words:
        groups["".join(sorted(w))].append(w)
    return sorted(groups.values())
