# Word frequencies with a dict.
# input: "the cat and the hat and the bat"
def f(text):
    counts = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return counts
