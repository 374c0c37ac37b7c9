# A module that fails half way.
values = [1, 2, 3]
print("sum", sum(values))
print(values[5])
