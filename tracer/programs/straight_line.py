"""Straight-line programs: assignments and arithmetic, no branches (preschool, primary).

Preschool programs add and subtract small numbers in two to four assignments; primary
programs use all four operations, `//` and `%`, swaps, `min`/`max`/`abs`, and more lines.
"""

from __future__ import annotations

import random

from tracer.programs import Program, build, pick_names

_SMALL = ("a", "b", "c", "x", "y", "n", "m", "k")
_THINGS = ("apples", "cats", "birds", "cars", "toys", "pens", "eggs", "coins", "books", "cups")
_RESULTS = ("total", "result", "count", "left", "answer", "out")


def _two_numbers(rng: random.Random, hi: int) -> str:
    return f"{rng.randint(0, hi)}, {rng.randint(0, hi)}"


def add_then_add(rng: random.Random) -> Program:
    a, b, r = pick_names(rng, [_SMALL, _SMALL, _RESULTS])
    c = rng.randint(1, 5)
    code = f"def f({a}, {b}):\n    {r} = {a} + {b}\n    {r} = {r} + {c}\n    return {r}\n"
    return build(rng, "add_then_add", code, lambda: _two_numbers(rng, 9))


def take_away(rng: random.Random) -> Program:
    have, gone, left = pick_names(rng, [_THINGS, _THINGS, ("left", "remaining", "rest")])
    code = f"def f({have}, {gone}):\n    {left} = {have} - {gone}\n    return {left}\n"

    def args() -> str:
        x = rng.randint(3, 10)
        return f"{x}, {rng.randint(0, x)}"

    return build(rng, "take_away", code, args)


def count_up(rng: random.Random) -> Program:
    n, r = pick_names(rng, [_SMALL, _RESULTS])
    steps = [rng.randint(1, 3) for _ in range(rng.randint(2, 3))]
    body = "".join(f"    {r} = {r} + {s}\n" for s in steps)
    code = f"def f({n}):\n    {r} = {n}\n{body}    return {r}\n"
    return build(rng, "count_up", code, lambda: str(rng.randint(0, 10)))


def two_groups(rng: random.Random) -> Program:
    a, b, r = pick_names(rng, [_THINGS, _THINGS, _RESULTS])
    k = rng.randint(1, 4)
    code = (f"def f({a}, {b}):\n    {a} = {a} + {k}\n    {b} = {b} - 1\n"
            f"    {r} = {a} + {b}\n    return {r}\n")

    def args() -> str:
        return f"{rng.randint(0, 8)}, {rng.randint(1, 8)}"

    return build(rng, "two_groups", code, args)


def change_from(rng: random.Random) -> Program:
    price, paid, change = pick_names(rng, [("price", "cost"), ("paid", "given"), ("change", "back")])
    code = f"def f({price}):\n    {paid} = {rng.choice((10, 20))}\n    {change} = {paid} - {price}\n    return {change}\n"
    return build(rng, "change_from", code, lambda: str(rng.randint(1, 9)))


PRESCHOOL = (add_then_add, take_away, count_up, two_groups, change_from)


def price_of(rng: random.Random) -> Program:
    n, each, fee, total = pick_names(rng, [("n", "qty", "count"), ("price", "each", "unit"),
                                           ("fee", "extra", "tax"), _RESULTS])
    code = (f"def f({n}, {each}):\n    {fee} = {rng.randint(1, 9)}\n    {total} = {n} * {each}\n"
            f"    {total} = {total} + {fee}\n    return {total}\n")
    return build(rng, "price_of", code, lambda: f"{rng.randint(1, 12)}, {rng.randint(2, 20)}")


def share_out(rng: random.Random) -> Program:
    items, kids, each, rest = pick_names(rng, [_THINGS, ("kids", "friends", "boxes", "groups"),
                                              ("each", "per", "share"), ("rest", "spare", "left")])
    code = (f"def f({items}, {kids}):\n    {each} = {items} // {kids}\n    {rest} = {items} % {kids}\n"
            f"    return ({each}, {rest})\n")
    return build(rng, "share_out", code, lambda: f"{rng.randint(5, 60)}, {rng.randint(2, 9)}")


def swap_and_combine(rng: random.Random) -> Program:
    a, b, t, r = pick_names(rng, [_SMALL, _SMALL, ("t", "tmp", "old"), _RESULTS])
    k = rng.randint(2, 5)
    code = (f"def f({a}, {b}):\n    {t} = {a}\n    {a} = {b}\n    {b} = {t}\n"
            f"    {r} = {a} * {k} - {b}\n    return {r}\n")
    return build(rng, "swap_and_combine", code, lambda: _two_numbers(rng, 30))


def digits_of(rng: random.Random) -> Program:
    n, ones, tens, r = pick_names(rng, [("n", "num", "x"), ("ones", "units", "low"),
                                       ("tens", "high", "top"), _RESULTS])
    code = (f"def f({n}):\n    {ones} = {n} % 10\n    {tens} = {n} // 10 % 10\n"
            f"    {r} = {ones} + {tens}\n    return {r}\n")
    return build(rng, "digits_of", code, lambda: str(rng.randint(10, 999)))


def min_max_gap(rng: random.Random) -> Program:
    a, b, c, lo, hi = pick_names(rng, [_SMALL, _SMALL, _SMALL, ("lo", "smallest", "low"),
                                       ("hi", "biggest", "high")])
    code = (f"def f({a}, {b}, {c}):\n    {lo} = min({a}, {b}, {c})\n    {hi} = max({a}, {b}, {c})\n"
            f"    return {hi} - {lo}\n")
    return build(rng, "min_max_gap", code,
                 lambda: ", ".join(str(rng.randint(-20, 50)) for _ in range(3)))


def perimeter_area(rng: random.Random) -> Program:
    w, h, p, s = pick_names(rng, [("w", "width"), ("h", "height"), ("p", "perimeter"), ("s", "area")])
    code = (f"def f({w}, {h}):\n    {p} = 2 * ({w} + {h})\n    {s} = {w} * {h}\n"
            f"    return {s} - {p}\n")
    return build(rng, "perimeter_area", code, lambda: f"{rng.randint(1, 15)}, {rng.randint(1, 15)}")


def distance(rng: random.Random) -> Program:
    a, b, d, r = pick_names(rng, [("start", "a", "p"), ("end", "b", "q"), ("d", "gap", "dist"), _RESULTS])
    code = (f"def f({a}, {b}):\n    {d} = {b} - {a}\n    {d} = abs({d})\n"
            f"    {r} = {d} * {rng.randint(2, 4)}\n    return {r}\n")
    return build(rng, "distance", code, lambda: _two_numbers(rng, 40))


PRIMARY = (price_of, share_out, swap_and_combine, digits_of, min_max_gap, perimeter_area, distance)
