"""Safe parsing of answer text. Never `eval`s or `sympify`s what it is given.

Every parser takes untrusted text and returns `(value, reason)`: the value, or None with a
reason for people. Nothing raises on any text, and every parser is linear-time in its
input: text longer than `MAX_CHARS` is refused up front, all regexes are anchored and free
of nested repetition, exponents above `MAX_EXPONENT` are refused, and nothing is computed
from an exponent (factorisations are compared as prime → exponent maps).

What is accepted (ASCII digits only; unicode digits such as '٣' are refused):

- integers: `42`, `-7`, `+3`, thousands separators in groups of three `12,345` / `12 345`
- exact rationals: fractions `3/4`, `-3 / 4`, mixed numbers `1 1/2`, decimals `0.75`,
  `.5`, `-2.`, percentages `75%` (= 3/4); `−` (unicode minus) reads as `-`
- a trailing full stop (`42.` is 42 anyway), `$…$` or `\\boxed{…}` around the whole answer
- `x = 3` where the task asks for x (`parse_number(text, variables=("x",))`)
- lists / tuples / sets: `(2, -1)`, `[2, -1]`, `{2, -1}`, `2, -1`, `2 and -1`, `2; -1`
  (inside lists a comma always separates items; it is never a thousands separator)
- ratios: `2 : 3`, `2:3`
- assignments: `x = 2, y = -1`, `x=2; y=-1`, `x = 2 and y = -1`, `(x, y) = (2, -1)`, or a
  bare tuple `(2, -1)` read in the order of the variables asked for
- quotient and remainder: `17 R 3`, `17 r3`, `17 rem 3`, `17 remainder 3`,
  `17, remainder 3`, `q = 17, r = 3`; a bare `17` when the remainder is 0
- prime factorisations: `2^3 * 3`, `2**3 · 3`, `2 × 2 × 2 × 3`, `2^3 x 3^2`
"""

from __future__ import annotations

import re
from fractions import Fraction

from reasoning.task import Verdict

MAX_DIGITS = 4000
MAX_CHARS = 200  # answers in these tasks are short; longer text is refused, never parsed
MAX_EXPONENT = 1000
MAX_ITEMS = 32

_PLAIN = re.compile(r"[+-]?\d+", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:([, ])\d{3})(?:\1\d{3})*", re.ASCII)


def _rational_pattern(int_body: str) -> re.Pattern[str]:
    return re.compile(
        r"(?P<sign>[+-]?)\s*"
        r"(?:(?P<whole>\d+)\s+(?P<mnum>\d+)\s*/\s*(?P<mden>\d+)"  # mixed 1 1/2
        r"|(?P<num>\d+)\s*/\s*(?P<den>\d+)"  # fraction 3/4
        r"|(?P<dec>\d*\.\d+|\d+\.)"  # decimal 0.75, .5, 2.
        r"|(?P<int>" + int_body + r"))\s*(?P<pct>%?)",
        re.ASCII,
    )


_RATIONAL = _rational_pattern(r"\d+|\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+")
_RATIONAL_NO_COMMA = _rational_pattern(r"\d+|\d{1,3}(?: \d{3})+")  # in lists "," separates
_ASSIGN = re.compile(r"([A-Za-z]\w{0,15})\s*=\s*(.*)", re.ASCII | re.DOTALL)
_WRAPPERS = (("$", "$"), ("\\boxed{", "}"), ("\\(", "\\)"))
_UNICODE_OPS = str.maketrans({"−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/"})
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_LIST_SPLIT = re.compile(r"\s*(?:,|;|\band\b)\s*", re.ASCII)
_QR = re.compile(
    r"(?P<q>[+-]?\d+)\s*(?:,\s*)?(?:r\.?|rem\.?|remainder:?|with\s+remainder|remainder\s+of)\s*"
    r"(?P<r>\d+)",
    re.ASCII | re.IGNORECASE,
)
_QR_NAMED = re.compile(
    r"q\s*=\s*(?P<q>[+-]?\d+)\s*[,;]?\s*(?:and\s+)?r\s*=\s*(?P<r>\d+)", re.ASCII | re.IGNORECASE
)
_FACTOR = re.compile(r"(?P<p>\d{1,60})\s*(?:(?:\^|\*\*)\s*(?P<e>\d{1,6}))?", re.ASCII)
_TIMES = re.compile(r"\s*(?:\*|x|X)\s*", re.ASCII)


def _clean(text: object) -> tuple[str | None, str]:
    """Common prelude: type and length checks, unicode operators, wrappers, a final stop."""
    if not isinstance(text, str):
        return None, "answer is not text"
    if len(text) > MAX_CHARS:
        return None, f"answer too long (over {MAX_CHARS} characters)"
    s = text.translate(_UNICODE_OPS).strip()
    for left, right in _WRAPPERS:
        if s.startswith(left) and s.endswith(right) and len(s) >= len(left) + len(right):
            s = s[len(left) : len(s) - len(right)].strip()
    if s.endswith("."):  # a sentence's full stop; "2." is 2 either way
        s = s[:-1].rstrip()
    if not s:
        return None, "empty answer"
    return s, ""


def _rational(s: str, *, commas: bool = True) -> Fraction | None:
    """The exact value of one number literal, or None if `s` is not exactly one."""
    m = (_RATIONAL if commas else _RATIONAL_NO_COMMA).fullmatch(s)
    if m is None:
        return None
    g = m.groupdict()
    if g["whole"] is not None:
        num, den = int(g["mnum"]), int(g["mden"])
        if den == 0 or num >= den:
            return None  # "1 5/2" is not a mixed number; refuse rather than guess
        value = int(g["whole"]) + Fraction(num, den)
    elif g["num"] is not None:
        if int(g["den"]) == 0:
            return None
        value = Fraction(int(g["num"]), int(g["den"]))
    elif g["dec"] is not None:
        value = Fraction(g["dec"] + ("0" if g["dec"].endswith(".") else ""))
    else:
        value = Fraction(int(g["int"].replace(",", "").replace(" ", "")))
    if g["pct"]:
        value /= 100
    return -value if g["sign"] == "-" else value


def parse_integer(text: str) -> tuple[int | None, str]:
    """Parse an integer answer: surrounding spaces, a leading sign and thousands separators
    (`,` or a space, in groups of three) are allowed; anything else is refused with a reason.
    """
    if not isinstance(text, str):
        return None, "answer is not text"
    s = text.strip()
    if not s:
        return None, "empty answer"
    if len(s) > MAX_DIGITS:
        return None, "answer too long"
    if _PLAIN.fullmatch(s):
        return int(s), "integer"
    if _GROUPED.fullmatch(s):
        return int(s.replace(",", "").replace(" ", "")), "integer with thousands separators"
    return None, f"not an integer: {s[:40]!r}"


def _strip_variable(s: str, variables: tuple[str, ...]) -> tuple[str | None, str]:
    m = _ASSIGN.fullmatch(s)
    if m is None:
        return s, ""
    if m.group(1) not in variables:
        asked = ", ".join(variables) if variables else "a plain number"
        return None, f"answer names {m.group(1)!r}, but the question asks for {asked}"
    return m.group(2).strip(), ""


def parse_number(text: str, variables: tuple[str, ...] = ()) -> tuple[Fraction | None, str]:
    """Parse one exact number (integer, fraction, mixed number, decimal or percentage).

    `x = 3` is accepted when "x" is in `variables`.
    """
    s, why = _clean(text)
    if s is None:
        return None, why
    s, why = _strip_variable(s, variables)
    if s is None:
        return None, why
    value = _rational(s)
    if value is None:
        return None, f"not a number: {s[:40]!r}"
    return value, "number"


def _split_items(s: str, separators: re.Pattern[str]) -> list[str] | None:
    if s[:1] in _BRACKETS and s.endswith(_BRACKETS[s[0]]):
        s = s[1:-1].strip()
    items = separators.split(s)
    if not 1 <= len(items) <= MAX_ITEMS:
        return None
    return items


def parse_numbers(text: str, *, ratio: bool = False) -> tuple[list[Fraction] | None, str]:
    """Parse a list of numbers in the order written: `(2, -1)`, `[1, 2]`, `1 and 2`, ...

    With `ratio=True`, colons separate items too (`2 : 3`).
    """
    s, why = _clean(text)
    if s is None:
        return None, why
    sep = re.compile(_LIST_SPLIT.pattern + ("|\\s*:\\s*" if ratio else ""), re.ASCII)
    items = _split_items(s, sep)
    if items is None:
        return None, f"expected 1 to {MAX_ITEMS} items separated by commas"
    values = []
    for item in items:
        value = _rational(item, commas=False)
        if value is None:
            return None, f"not a number: {item[:40]!r}"
        values.append(value)
    return values, "list of numbers"


def parse_assignments(
    text: str, variables: tuple[str, ...]
) -> tuple[dict[str, Fraction] | None, str]:
    """Parse values for `variables`: `x = 2, y = -1`, `(x, y) = (2, -1)` or a bare `(2, -1)`."""
    s, why = _clean(text)
    if s is None:
        return None, why
    m = re.fullmatch(r"\(([^()=]*)\)\s*=\s*(\([^()=]*\))", s, re.ASCII)
    if m is not None:  # (x, y) = (2, -1)
        names = [n.strip() for n in m.group(1).split(",")]
        if names != list(variables):
            return None, f"expected the variables ({', '.join(variables)}) in that order"
        s = m.group(2)
    if "=" not in s:
        values, why = parse_numbers(s)
        if values is None:
            return None, why
        if len(values) != len(variables):
            return None, f"expected {len(variables)} values, got {len(values)}"
        return dict(zip(variables, values, strict=True)), "values in order"
    items = _split_items(s, _LIST_SPLIT)
    if items is None:
        return None, "expected assignments separated by commas"
    found: dict[str, Fraction] = {}
    for item in items:
        am = _ASSIGN.fullmatch(item)
        if am is None:
            return None, f"not an assignment: {item[:40]!r}"
        name, value = am.group(1), _rational(am.group(2).strip(), commas=False)
        if name not in variables:
            return None, f"unknown variable {name!r}; expected {', '.join(variables)}"
        if value is None:
            return None, f"not a number: {am.group(2)[:40]!r}"
        if name in found:
            return None, f"{name} is given twice"
        found[name] = value
    missing = [v for v in variables if v not in found]
    if missing:
        return None, f"no value for {', '.join(missing)}"
    return found, "assignments"


def parse_quotient_remainder(text: str) -> tuple[tuple[int, int] | None, str]:
    """Parse a quotient with remainder: `17 R 3`, `17 remainder 3`, `q = 17, r = 3`, `17`."""
    s, why = _clean(text)
    if s is None:
        return None, why
    m = _QR.fullmatch(s) or _QR_NAMED.fullmatch(s)
    if m is not None:
        return (int(m.group("q")), int(m.group("r"))), "quotient and remainder"
    q, _ = parse_integer(s)
    if q is not None:
        return (q, 0), "quotient only (remainder 0)"
    return None, f"expected a quotient and remainder like '17 R 3', got {s[:40]!r}"


def parse_factorisation(text: str) -> tuple[dict[int, int] | None, str]:
    """Parse a product of prime powers into {prime: exponent}; repeated factors add up.

    Exponents are capped at `MAX_EXPONENT` and never evaluated, so `2^999` is cheap.
    """
    s, why = _clean(text)
    if s is None:
        return None, why
    factors: dict[int, int] = {}
    for part in _TIMES.split(s.replace("**", "^")):
        m = _FACTOR.fullmatch(part)
        if m is None:
            return None, f"not a prime power: {part[:40]!r}"
        p, e = int(m.group("p")), int(m.group("e") or 1)
        if e > MAX_EXPONENT:
            return None, f"exponent {e} is above {MAX_EXPONENT}"
        if p < 2 or e < 1:
            return None, f"{part.strip()!r} is not a prime power factor"
        factors[p] = factors.get(p, 0) + e
    return dict(sorted(factors.items())), "factorisation"


def fraction_text(value: Fraction) -> str:
    """Canonical text of an exact value: `3`, `-3/4` (what records and `data` carry)."""
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def verify_number(answer_text: str, expected: str, variables: tuple[str, ...] = ()) -> Verdict:
    """Score 1 when the answer's value equals `expected` (a `fraction_text`), else 0."""
    value, why = parse_number(answer_text, variables)
    if value is None:
        return Verdict(0.0, why)
    if value == Fraction(expected):
        return Verdict(1.0, "correct")
    return Verdict(0.0, f"wrong value: got {fraction_text(value)}, expected {expected}")


def verify_numbers(
    answer_text: str, expected: list[str], *, ordered: bool = True, ratio: bool = False
) -> Verdict:
    """Score 1 when the answer lists exactly the `expected` values (`fraction_text`s): in
    order when `ordered`, else in any order (as a multiset: `{2, 1, 2}` matches `[1, 2, 2]`)."""
    values, why = parse_numbers(answer_text, ratio=ratio)
    if values is None:
        return Verdict(0.0, why)
    want = [Fraction(v) for v in expected]
    if len(values) != len(want):
        return Verdict(0.0, f"expected {len(want)} numbers, got {len(values)}")
    if (values == want) if ordered else (sorted(values) == sorted(want)):
        return Verdict(1.0, "correct")
    return Verdict(
        0.0,
        "wrong numbers"
        + ("" if ordered or sorted(values) != sorted(want) else " (right numbers, wrong order)"),
    )
