# A class with a list field.
# input: [1, 2, 3]
class Stack:
    def __init__(self):
        self.items = []

    def push(self, x):
        self.items.append(x)

    def pop(self):
        return self.items.pop()

def f(xs):
    s = Stack()
    for x in xs:
        s.push(x * 10)
    top = s.pop()
    return top, s.items
