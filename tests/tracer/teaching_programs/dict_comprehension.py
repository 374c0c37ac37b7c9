# Dict and set comprehensions.
# input: 6
def f(n):
    squares = {i: i * i for i in range(n)}
    odd_squares = {v for v in squares.values() if v % 2}
    return squares, sorted(odd_squares)
