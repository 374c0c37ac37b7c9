# Palindromes ignoring case and punctuation.
# input: ["Racecar", "A man, a plan, a canal: Panama", "hello"]
def f(items):
    def clean(s):
        return "".join(c.lower() for c in s if c.isalnum())
    return [clean(s) == clean(s)[::-1] for s in items]
