"""Functions, lists, dicts and strings (high).

Loops are written out rather than as comprehensions: a comprehension runs in a frame
of its own, which makes a trace harder to read at this level.
"""

from __future__ import annotations

import random

from tracer.programs import Program, build, pick_names

_WORDS = ("cat", "dog", "sun", "map", "tea", "owl", "ant", "bee", "fig", "jam", "kit", "log")
_LETTERS = "abcdeilnorst"


def _ints(rng: random.Random, lo: int, hi: int, size: tuple[int, int]) -> str:
    return "[" + ", ".join(str(rng.randint(lo, hi)) for _ in range(rng.randint(*size))) + "]"


def _word(rng: random.Random, size: tuple[int, int]) -> str:
    return "".join(rng.choice(_LETTERS) for _ in range(rng.randint(*size)))


def helper_square(rng: random.Random) -> Program:
    g, xs, acc, x = pick_names(rng, [("square", "double", "bump"), ("xs", "nums"),
                                     ("total", "acc"), ("x", "v")])
    body = {"square": "v * v", "double": "v * 2", "bump": f"v + {rng.randint(1, 5)}"}[g]
    code = (f"def {g}(v):\n    return {body}\n\n\ndef f({xs}):\n    {acc} = 0\n"
            f"    for {x} in {xs}:\n        {acc} = {acc} + {g}({x})\n    return {acc}\n")
    return build(rng, "helper_square", code, lambda: _ints(rng, -4, 9, (2, 4)))


def filter_list(rng: random.Random) -> Program:
    xs, out, x = pick_names(rng, [("xs", "nums", "data"), ("out", "kept", "result"), ("x", "v")])
    cond = rng.choice((f"{x} % 2 == 1", f"{x} >= {rng.randint(2, 8)}", f"{x} != {rng.randint(0, 5)}"))
    code = (f"def f({xs}):\n    {out} = []\n    for {x} in {xs}:\n        if {cond}:\n"
            f"            {out}.append({x})\n    return {out}\n")
    return build(rng, "filter_list", code, lambda: _ints(rng, 0, 10, (3, 6)))


def word_counts(rng: random.Random) -> Program:
    words, counts, w = pick_names(rng, [("words", "items", "seen"), ("counts", "freq", "tally"),
                                        ("w", "word", "key")])
    code = (f"def f({words}):\n    {counts} = {{}}\n    for {w} in {words}:\n"
            f"        if {w} in {counts}:\n            {counts}[{w}] += 1\n        else:\n"
            f"            {counts}[{w}] = 1\n    return {counts}\n")
    pool = rng.sample(_WORDS, 3)
    return build(rng, "word_counts", code,
                 lambda: repr([rng.choice(pool) for _ in range(rng.randint(3, 6))]))


def reverse_string(rng: random.Random) -> Program:
    s, out, ch = pick_names(rng, [("s", "text", "word"), ("out", "rev", "result"), ("ch", "c")])
    code = (f"def f({s}):\n    {out} = ''\n    for {ch} in {s}:\n        {out} = {ch} + {out}\n"
            f"    return {out}\n")
    return build(rng, "reverse_string", code, lambda: repr(_word(rng, (3, 6))))


def count_vowels(rng: random.Random) -> Program:
    s, n, ch = pick_names(rng, [("s", "text", "word"), ("n", "count", "vowels"), ("ch", "c")])
    code = (f"def f({s}):\n    {n} = 0\n    for {ch} in {s}:\n        if {ch} in 'aeiou':\n"
            f"            {n} = {n} + 1\n    return {n}\n")
    return build(rng, "count_vowels", code, lambda: repr(_word(rng, (4, 8))))


def running_sums(rng: random.Random) -> Program:
    xs, out, acc, x = pick_names(rng, [("xs", "nums"), ("out", "sums", "prefix"),
                                       ("acc", "total", "s"), ("x", "v")])
    code = (f"def f({xs}):\n    {out} = []\n    {acc} = 0\n    for {x} in {xs}:\n"
            f"        {acc} = {acc} + {x}\n        {out}.append({acc})\n    return {out}\n")
    return build(rng, "running_sums", code, lambda: _ints(rng, -5, 9, (3, 5)))


def invert_dict(rng: random.Random) -> Program:
    d, out, k = pick_names(rng, [("d", "table", "m"), ("out", "inv", "back"), ("k", "key")])
    code = (f"def f({d}):\n    {out} = {{}}\n    for {k} in {d}:\n        {out}[{d}[{k}]] = {k}\n"
            f"    return {out}\n")

    def args() -> str:
        keys = rng.sample(_WORDS, rng.randint(2, 4))
        return repr({key: rng.randint(0, 5) for key in keys})

    return build(rng, "invert_dict", code, args)


def caesar(rng: random.Random) -> Program:
    s, k, out, ch, i = pick_names(rng, [("s", "text"), ("k", "shift"), ("out", "res"),
                                        ("ch", "c"), ("i", "pos")])
    code = (f"def f({s}, {k}):\n    {out} = ''\n    for {ch} in {s}:\n"
            f"        {i} = (ord({ch}) - 97 + {k}) % 26\n        {out} = {out} + chr({i} + 97)\n"
            f"    return {out}\n")
    return build(rng, "caesar", code, lambda: f"{_word(rng, (3, 5))!r}, {rng.randint(1, 25)}")


def row_sums(rng: random.Random) -> Program:
    grid, out, row, acc, x = pick_names(rng, [("grid", "rows", "m"), ("out", "sums"), ("row", "r"),
                                              ("acc", "s"), ("x", "v")])
    code = (f"def f({grid}):\n    {out} = []\n    for {row} in {grid}:\n        {acc} = 0\n"
            f"        for {x} in {row}:\n            {acc} += {x}\n        {out}.append({acc})\n"
            f"    return {out}\n")

    def args() -> str:
        width = rng.randint(2, 3)
        return "[" + ", ".join(_ints(rng, 0, 9, (width, width)) for _ in range(rng.randint(2, 3))) + "]"

    return build(rng, "row_sums", code, args)


def pair_up(rng: random.Random) -> Program:
    a, b, out, i = pick_names(rng, [("keys", "names"), ("vals", "scores"), ("out", "table"), ("i", "j")])
    code = (f"def f({a}, {b}):\n    {out} = {{}}\n    for {i} in range(min(len({a}), len({b}))):\n"
            f"        {out}[{a}[{i}]] = {b}[{i}]\n    return {out}\n")

    def args() -> str:
        keys = rng.sample(_WORDS, rng.randint(2, 4))
        return f"{keys!r}, {_ints(rng, 0, 9, (2, 4))}"

    return build(rng, "pair_up", code, args)


def longest_word(rng: random.Random) -> Program:
    s, best, w = pick_names(rng, [("s", "text", "line"), ("best", "longest"), ("w", "word")])
    code = (f"def f({s}):\n    {best} = ''\n    for {w} in {s}.split():\n"
            f"        if len({w}) > len({best}):\n            {best} = {w}\n    return {best}\n")
    return build(rng, "longest_word", code,
                 lambda: repr(" ".join(_word(rng, (2, 6)) for _ in range(rng.randint(2, 4)))))


TEMPLATES = (helper_square, filter_list, word_counts, reverse_string, count_vowels, running_sums,
             invert_dict, caesar, row_sums, pair_up, longest_word)  # fmt: skip
