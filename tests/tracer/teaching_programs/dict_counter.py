# Counter.most_common.
# input: "mississippi"
from collections import Counter

def f(s):
    return Counter(s).most_common(2)
