# The walrus operator and match statements.
# input: [("add", 3), ("mul", 4), ("neg", None), ("add", 10)]
def f(ops):
    acc = 1
    for op, arg in ops:
        match op:
            case "add":
                acc += arg
            case "mul":
                acc *= arg
            case "neg":
                acc = -acc
    if (half := acc // 2) > 5:
        return acc, half
    return acc, None
