"""Algorithms (university): sorting, search, recursion, dynamic programming, graph walks.

Inputs stay small so a run takes tens to a few hundred steps, well within the default
step limit of 1,000.
"""

from __future__ import annotations

import random

from tracer.programs import Program, build, pick_names


def _ints(rng: random.Random, lo: int, hi: int, size: tuple[int, int]) -> str:
    return "[" + ", ".join(str(rng.randint(lo, hi)) for _ in range(rng.randint(*size))) + "]"


def bubble_sort(rng: random.Random) -> Program:
    xs, n, i, j = pick_names(rng, [("xs", "a", "arr"), ("n", "size"), ("i", "p"), ("j", "q")])
    cmp = rng.choice((">", "<"))
    code = (f"def f({xs}):\n    {n} = len({xs})\n    for {i} in range({n}):\n"
            f"        for {j} in range({n} - {i} - 1):\n            if {xs}[{j}] {cmp} {xs}[{j} + 1]:\n"
            f"                {xs}[{j}], {xs}[{j} + 1] = {xs}[{j} + 1], {xs}[{j}]\n    return {xs}\n")
    return build(rng, "bubble_sort", code, lambda: _ints(rng, 0, 9, (3, 5)))


def insertion_sort(rng: random.Random) -> Program:
    xs, i, key, j = pick_names(rng, [("xs", "a"), ("i", "k"), ("key", "cur"), ("j", "p")])
    code = (f"def f({xs}):\n    for {i} in range(1, len({xs})):\n        {key} = {xs}[{i}]\n"
            f"        {j} = {i} - 1\n        while {j} >= 0 and {xs}[{j}] > {key}:\n"
            f"            {xs}[{j} + 1] = {xs}[{j}]\n            {j} = {j} - 1\n"
            f"        {xs}[{j} + 1] = {key}\n    return {xs}\n")
    return build(rng, "insertion_sort", code, lambda: _ints(rng, 0, 20, (3, 5)))


def binary_search(rng: random.Random) -> Program:
    xs, t, lo, hi, mid = pick_names(rng, [("xs", "a"), ("target", "t"), ("lo", "left"),
                                          ("hi", "right"), ("mid", "m")])
    code = (f"def f({xs}, {t}):\n    {lo} = 0\n    {hi} = len({xs}) - 1\n    while {lo} <= {hi}:\n"
            f"        {mid} = ({lo} + {hi}) // 2\n        if {xs}[{mid}] == {t}:\n            return {mid}\n"
            f"        if {xs}[{mid}] < {t}:\n            {lo} = {mid} + 1\n        else:\n"
            f"            {hi} = {mid} - 1\n    return -1\n")

    def args() -> str:
        values = sorted(rng.sample(range(0, 40), rng.randint(4, 8)))
        target = rng.choice(values) if rng.random() < 0.7 else rng.randint(0, 40)
        return f"{values}, {target}"

    return build(rng, "binary_search", code, args)


def factorial(rng: random.Random) -> Program:
    n = rng.choice(("n", "k", "m"))
    code = f"def f({n}):\n    if {n} <= 1:\n        return 1\n    return {n} * f({n} - 1)\n"
    return build(rng, "factorial", code, lambda: str(rng.randint(1, 6)))


def recursive_sum(rng: random.Random) -> Program:
    xs = rng.choice(("xs", "nums", "items"))
    code = (f"def f({xs}):\n    if not {xs}:\n        return 0\n"
            f"    return {xs}[0] + f({xs}[1:])\n")
    return build(rng, "recursive_sum", code, lambda: _ints(rng, 0, 9, (2, 5)))


def power(rng: random.Random) -> Program:
    b, e, half = pick_names(rng, [("b", "base"), ("e", "exp"), ("half", "h")])
    code = (f"def f({b}, {e}):\n    if {e} == 0:\n        return 1\n    {half} = f({b}, {e} // 2)\n"
            f"    if {e} % 2 == 0:\n        return {half} * {half}\n    return {half} * {half} * {b}\n")
    return build(rng, "power", code, lambda: f"{rng.randint(2, 5)}, {rng.randint(0, 9)}")


def gcd(rng: random.Random) -> Program:
    a, b, t = pick_names(rng, [("a", "x"), ("b", "y"), ("t", "r")])
    code = (f"def f({a}, {b}):\n    while {b} != 0:\n        {t} = {a} % {b}\n        {a} = {b}\n"
            f"        {b} = {t}\n    return {a}\n")
    return build(rng, "gcd", code, lambda: f"{rng.randint(6, 120)}, {rng.randint(4, 90)}")


def fib_table(rng: random.Random) -> Program:
    n, dp, i = pick_names(rng, [("n", "k"), ("dp", "table", "memo"), ("i", "j")])
    code = (f"def f({n}):\n    {dp} = [0, 1]\n    for {i} in range(2, {n} + 1):\n"
            f"        {dp}.append({dp}[{i} - 1] + {dp}[{i} - 2])\n    return {dp}[{n}]\n")
    return build(rng, "fib_table", code, lambda: str(rng.randint(2, 10)))


def climb_stairs(rng: random.Random) -> Program:
    n, a, b, i, c = pick_names(rng, [("n", "steps"), ("a", "prev"), ("b", "cur"), ("i", "k"),
                                     ("c", "nxt")])
    code = (f"def f({n}):\n    {a} = 1\n    {b} = 1\n    for {i} in range({n} - 1):\n"
            f"        {c} = {a} + {b}\n        {a} = {b}\n        {b} = {c}\n    return {b}\n")
    return build(rng, "climb_stairs", code, lambda: str(rng.randint(1, 9)))


def min_coins(rng: random.Random) -> Program:
    coins, amount, best, a, c = pick_names(rng, [("coins", "cs"), ("amount", "total"),
                                                 ("best", "dp"), ("a", "v"), ("c", "coin")])
    code = (f"def f({coins}, {amount}):\n    {best} = [0] + [{amount} + 1] * {amount}\n"
            f"    for {a} in range(1, {amount} + 1):\n        for {c} in {coins}:\n"
            f"            if {c} <= {a} and {best}[{a} - {c}] + 1 < {best}[{a}]:\n"
            f"                {best}[{a}] = {best}[{a} - {c}] + 1\n    return {best}[{amount}]\n")
    return build(rng, "min_coins", code,
                 lambda: f"{sorted(rng.sample((1, 2, 3, 5, 7), 2))}, {rng.randint(2, 9)}")


def bfs_distance(rng: random.Random) -> Program:
    g, s, dist, queue, u, v = pick_names(rng, [("graph", "g", "adj"), ("start", "src"),
                                              ("dist", "seen"), ("queue", "todo"),
                                              ("u", "node"), ("v", "nxt")])
    code = (f"def f({g}, {s}):\n    {dist} = {{{s}: 0}}\n    {queue} = [{s}]\n    while {queue}:\n"
            f"        {u} = {queue}.pop(0)\n        for {v} in {g}[{u}]:\n"
            f"            if {v} not in {dist}:\n                {dist}[{v}] = {dist}[{u}] + 1\n"
            f"                {queue}.append({v})\n    return {dist}\n")
    return build(rng, "bfs_distance", code, lambda: _graph_args(rng))


def dfs_reach(rng: random.Random) -> Program:
    g, s, seen, stack, u, v = pick_names(rng, [("graph", "g"), ("start", "src"), ("seen", "order"),
                                              ("stack", "todo"), ("u", "node"), ("v", "nxt")])
    code = (f"def f({g}, {s}):\n    {seen} = []\n    {stack} = [{s}]\n    while {stack}:\n"
            f"        {u} = {stack}.pop()\n        if {u} in {seen}:\n            continue\n"
            f"        {seen}.append({u})\n        for {v} in {g}[{u}]:\n"
            f"            {stack}.append({v})\n    return {seen}\n")
    return build(rng, "dfs_reach", code, lambda: _graph_args(rng))


def _graph_args(rng: random.Random) -> str:
    n = rng.randint(3, 5)
    graph = {u: sorted(rng.sample(range(n), rng.randint(0, 2))) for u in range(n)}
    return f"{graph}, {rng.randrange(n)}"


TEMPLATES = (bubble_sort, insertion_sort, binary_search, factorial, recursive_sum, power, gcd,
             fib_table, climb_stairs, min_coins, bfs_distance, dfs_reach)  # fmt: skip
