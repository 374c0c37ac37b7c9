# A set of strings printed as it iterates (depends on string hashing).
words = {"kiwi", "plum", "lime", "date", "yam"}
for w in words:
    print(w)
