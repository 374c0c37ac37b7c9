# A class attribute shared by instances.
# input: 3
class Ticket:
    issued = 0

    def __init__(self):
        Ticket.issued += 1
        self.number = Ticket.issued

def f(n):
    tickets = [Ticket() for _ in range(n)]
    return [t.number for t in tickets], Ticket.issued
