# A bank account whose overdraft raises.
# input: 100, [30, 50, 40]
class Account:
    def __init__(self, balance):
        self.balance = balance

    def withdraw(self, amount):
        if amount > self.balance:
            raise ValueError(f"insufficient funds: {self.balance} < {amount}")
        self.balance -= amount

def f(start, amounts):
    acct = Account(start)
    for a in amounts:
        acct.withdraw(a)
    return acct.balance
