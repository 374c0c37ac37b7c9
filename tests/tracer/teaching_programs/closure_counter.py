# A closure with nonlocal state.
# input: 4
def make_counter():
    count = 0
    def bump():
        nonlocal count
        count += 1
        return count
    return bump

def f(times):
    c = make_counter()
    seen = []
    for _ in range(times):
        seen.append(c())
    return seen
