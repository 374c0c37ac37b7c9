"""Loops and conditionals (middle): accumulators, counters, while loops, branches."""

from __future__ import annotations

import random

from tracer.programs import Program, build, pick_names

_ACC = ("total", "acc", "s", "result", "count")
_IDX = ("i", "j", "k")
_ITEM = ("x", "v", "item", "n")


def _ints(rng: random.Random, lo: int, hi: int, size: tuple[int, int]) -> str:
    return "[" + ", ".join(str(rng.randint(lo, hi)) for _ in range(rng.randint(*size))) + "]"


def sum_to(rng: random.Random) -> Program:
    n, acc, i = pick_names(rng, [("n", "m", "limit"), _ACC, _IDX])
    start = rng.choice((0, 1))
    code = (f"def f({n}):\n    {acc} = 0\n    for {i} in range({start}, {n}):\n"
            f"        {acc} = {acc} + {i}\n    return {acc}\n")
    return build(rng, "sum_to", code, lambda: str(rng.randint(2, 8)))


def count_matching(rng: random.Random) -> Program:
    xs, c, x = pick_names(rng, [("xs", "nums", "values"), ("count", "c", "hits"), _ITEM])
    d = rng.choice((2, 3, 5))
    cond = rng.choice((f"{x} % {d} == 0", f"{x} > {rng.randint(3, 8)}", f"{x} < {rng.randint(2, 6)}"))
    code = (f"def f({xs}):\n    {c} = 0\n    for {x} in {xs}:\n        if {cond}:\n"
            f"            {c} += 1\n    return {c}\n")
    return build(rng, "count_matching", code, lambda: _ints(rng, 0, 12, (3, 7)))


def halve_until(rng: random.Random) -> Program:
    n, steps = pick_names(rng, [("n", "x", "size"), ("steps", "count", "k")])
    stop = rng.choice((1, 2, 5))
    code = (f"def f({n}):\n    {steps} = 0\n    while {n} > {stop}:\n        {n} = {n} // 2\n"
            f"        {steps} += 1\n    return {steps}\n")
    return build(rng, "halve_until", code, lambda: str(rng.randint(3, 200)))


def digit_sum(rng: random.Random) -> Program:
    n, s, d = pick_names(rng, [("n", "num", "x"), _ACC, ("d", "digit", "last")])
    code = (f"def f({n}):\n    {s} = 0\n    while {n} > 0:\n        {d} = {n} % 10\n"
            f"        {s} = {s} + {d}\n        {n} = {n} // 10\n    return {s}\n")
    return build(rng, "digit_sum", code, lambda: str(rng.randint(10, 99999)))


def running_max(rng: random.Random) -> Program:
    xs, best, x = pick_names(rng, [("xs", "nums", "scores"), ("best", "top", "m"), _ITEM])
    code = (f"def f({xs}):\n    {best} = {xs}[0]\n    for {x} in {xs}:\n        if {x} > {best}:\n"
            f"            {best} = {x}\n    return {best}\n")
    return build(rng, "running_max", code, lambda: _ints(rng, -9, 30, (3, 7)))


def classify(rng: random.Random) -> Program:
    n, label = pick_names(rng, [("n", "t", "score"), ("label", "kind", "grade")])
    a = rng.randint(3, 10)
    b = a + rng.randint(3, 10)
    words = rng.sample(("low", "mid", "high", "cold", "warm", "hot", "small", "big"), 3)
    code = (f"def f({n}):\n    if {n} < {a}:\n        {label} = {words[0]!r}\n"
            f"    elif {n} < {b}:\n        {label} = {words[1]!r}\n    else:\n"
            f"        {label} = {words[2]!r}\n    return {label}\n")
    return build(rng, "classify", code, lambda: str(rng.randint(0, b + 8)))


def multiply_by_adding(rng: random.Random) -> Program:
    a, b, acc, i = pick_names(rng, [("a", "x"), ("b", "times"), _ACC, _IDX])
    code = (f"def f({a}, {b}):\n    {acc} = 0\n    {i} = 0\n    while {i} < {b}:\n"
            f"        {acc} = {acc} + {a}\n        {i} = {i} + 1\n    return {acc}\n")
    return build(rng, "multiply_by_adding", code, lambda: f"{rng.randint(2, 12)}, {rng.randint(1, 6)}")


def even_odd_sums(rng: random.Random) -> Program:
    xs, ev, od, x = pick_names(rng, [("xs", "nums"), ("evens", "e"), ("odds", "o"), _ITEM])
    code = (f"def f({xs}):\n    {ev} = 0\n    {od} = 0\n    for {x} in {xs}:\n"
            f"        if {x} % 2 == 0:\n            {ev} += {x}\n        else:\n"
            f"            {od} += {x}\n    return {ev} - {od}\n")
    return build(rng, "even_odd_sums", code, lambda: _ints(rng, 0, 20, (3, 6)))


def first_over(rng: random.Random) -> Program:
    xs, limit, i = pick_names(rng, [("xs", "nums", "heights"), ("limit", "bar", "cap"), _IDX])
    code = (f"def f({xs}, {limit}):\n    {i} = 0\n    for {i} in range(len({xs})):\n"
            f"        if {xs}[{i}] > {limit}:\n            break\n    return {i}\n")
    return build(rng, "first_over", code, lambda: f"{_ints(rng, 0, 20, (4, 7))}, {rng.randint(5, 15)}")


def skip_negatives(rng: random.Random) -> Program:
    xs, acc, x = pick_names(rng, [("xs", "nums", "deltas"), _ACC, _ITEM])
    code = (f"def f({xs}):\n    {acc} = 0\n    for {x} in {xs}:\n        if {x} < 0:\n"
            f"            continue\n        {acc} = {acc} + {x}\n    return {acc}\n")
    return build(rng, "skip_negatives", code, lambda: _ints(rng, -9, 9, (4, 7)))


def countdown_product(rng: random.Random) -> Program:
    n, p = pick_names(rng, [("n", "k"), ("p", "prod", "result")])
    code = (f"def f({n}):\n    {p} = 1\n    while {n} > 1:\n        {p} = {p} * {n}\n"
            f"        {n} = {n} - {rng.choice((1, 2))}\n    return {p}\n")
    return build(rng, "countdown_product", code, lambda: str(rng.randint(2, 7)))


TEMPLATES = (sum_to, count_matching, halve_until, digit_sum, running_max, classify,
             multiply_by_adding, even_odd_sums, first_over, skip_negatives, countdown_product)  # fmt: skip
