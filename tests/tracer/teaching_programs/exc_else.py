# try/except/else/finally order.
# input: [2, 0]
def f(divisors):
    order = []
    for d in divisors:
        try:
            q = 10 / d
        except ZeroDivisionError:
            order.append("except")
        else:
            order.append(f"else {q}")
        finally:
            order.append("finally")
    return order
