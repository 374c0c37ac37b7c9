# A module that defines a class and uses it.
class Counter:
    def __init__(self):
        self.n = 0

    def tick(self):
        self.n += 1
        return self

c = Counter().tick().tick().tick()
print("ticks:", c.n)
