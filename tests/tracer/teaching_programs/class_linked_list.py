# A linked list reversed in place.
# input: [1, 2, 3, 4]
class Node:
    def __init__(self, value, next=None):
        self.value = value
        self.next = next

def f(xs):
    head = None
    for x in reversed(xs):
        head = Node(x, head)
    prev = None
    while head:
        head.next, prev, head = prev, head, head.next
    out = []
    while prev:
        out.append(prev.value)
        prev = prev.next
    return out
