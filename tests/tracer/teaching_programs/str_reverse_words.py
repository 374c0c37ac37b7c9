# Reverse each word.
# input: "hello brave new world"
def f(s):
    return " ".join(w[::-1] for w in s.split())
