"""Safe parsing of logic answers. Nothing here `eval`s or `sympify`s the text it is given.

Every parser returns ``(value or None, reason)`` and never raises: long text is refused
before any work, and the grammars are small regular ones (no recursion on user text).
"""

from __future__ import annotations

import re

MAX_ANSWER_CHARS = 2000
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "⊤"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "⊥"})
_PREFIX = re.compile(r"^(?:the\s+)?(?:final\s+)?answer\s*(?:is)?\s*[:=]?\s*", re.IGNORECASE)
_WRAP = "\"'`*_ \t\r\n"


def clean(text: object) -> tuple[str | None, str]:
    """Strip wrappers (quotes, bold, an 'answer:' prefix, a final period); refuse non-text."""
    if not isinstance(text, str):
        return None, "answer is not text"
    if len(text) > MAX_ANSWER_CHARS:
        return None, f"answer too long ({len(text)} characters)"
    s = _PREFIX.sub("", text.strip().strip(_WRAP)).strip(_WRAP).rstrip(".!").strip(_WRAP)
    if not s:
        return None, "empty answer"
    return s, "ok"


def _word_truth(word: str) -> bool | None:
    w = word.lower()
    if w in TRUE_WORDS:
        return True
    if w in FALSE_WORDS:
        return False
    return None


def parse_truth(text: object) -> tuple[bool | None, str]:
    """A truth value: true/false, T/F, yes/no, 1/0 (any case, optional 'answer:' prefix)."""
    s, why = clean(text)
    if s is None:
        return None, why
    s = re.sub(r"^(?:it\s+is\s+|it's\s+)", "", s, flags=re.IGNORECASE)
    value = _word_truth(s)
    if value is None:
        return None, f"not a truth value: {s[:40]!r}"
    return value, "truth value"


UNKNOWN_WORDS = frozenset({"unknown", "undetermined", "cannot be determined", "can't be determined",
                           "cannot tell", "can't tell", "not determined", "undecided",
                           "neither", "not settled", "cannot be decided"})


def parse_truth_or_unknown(text: object) -> tuple[str | None, str]:
    """`true`, `false` (any word `parse_truth` reads) or `unknown` (also `cannot be
    determined`, `undetermined`, ...): returned as one of those three words."""
    s, why = clean(text)
    if s is None:
        return None, why
    bare = re.sub(r"^(?:it\s+is\s+|it's\s+|this\s+is\s+)", "", s, flags=re.IGNORECASE)
    if " ".join(bare.lower().split()) in UNKNOWN_WORDS:
        return "unknown", "unknown"
    value, why = parse_truth(s)
    if value is None:
        return None, f"not true, false or unknown: {s[:40]!r}"
    return ("true" if value else "false"), why


def parse_truth_list(text: object) -> tuple[list[bool] | None, str]:
    """A column of truth values: `T, F, T, T`, `[true, false]`, `1 0 1 1` or `TFTT`."""
    s, why = clean(text)
    if s is None:
        return None, why
    s = s.strip("[](){} ")
    tokens = [t for t in re.split(r"[\s,;|]+", s) if t]
    if len(tokens) == 1 and len(tokens[0]) > 1 and set(tokens[0].upper()) <= {"T", "F"}:
        tokens = list(tokens[0])
    values = [_word_truth(t) for t in tokens]
    if not values or None in values:
        bad = next((t for t, v in zip(tokens, values, strict=True) if v is None), s)
        return None, f"not a list of truth values (bad item {bad[:20]!r})"
    return [bool(v) for v in values], "truth values"


def parse_validity(text: object) -> tuple[bool | None, str]:
    """`valid` or `invalid` (also `not valid`, `the syllogism is valid`, yes/no)."""
    s, why = clean(text)
    if s is None:
        return None, why
    s = re.sub(r"^(?:the\s+)?(?:syllogism|argument|it)\s+is\s+", "", s.lower())
    if s in ("valid", "yes", "true"):
        return True, "validity"
    if s in ("invalid", "not valid", "no", "false"):
        return False, "validity"
    return None, f"expected 'valid' or 'invalid', got {s[:40]!r}"


_CLAUSE = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9_]*)\s*(?:(?:is|was|are)\s+(?:an?\s+)?|[:=]\s*|-\s*|→\s*)?"
    r"(?P<value>[A-Za-z0-9⊤⊥]+)$")
_NEGATED = re.compile(r"^(?:¬|~|!|-|not\s+)\s*(?P<name>[A-Za-z][A-Za-z0-9_]*)$", re.IGNORECASE)
_BARE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def parse_assignment(text: object, names: list[str], words: dict[str, bool],
                     bare_literals: bool = False) -> tuple[dict[str, bool] | None, str]:
    """Assignments like `A: knight, B: knave`, `A is a knight and B is a knave`, `x1=T`.

    `words` maps value words (lower case) to booleans; names match case-sensitively first,
    then case-insensitively. With `bare_literals`, `x1` means true and `¬x1`/`-x1` false.
    A name given two different values, or a name not in `names`, is refused.
    """
    s, why = clean(text)
    if s is None:
        return None, why
    by_lower = {n.lower(): n for n in names}
    result: dict[str, bool] = {}
    for raw in re.split(r"\s*(?:[,;\n]|\band\b)\s*", s):
        clause = raw.strip().strip("().")
        if not clause:
            continue
        name, value = None, None
        m = _CLAUSE.match(clause)
        if m and m.group("value").lower() in words:
            name, value = m.group("name"), words[m.group("value").lower()]
        elif bare_literals and (m := _NEGATED.match(clause)):
            name, value = m.group("name"), False
        elif bare_literals and _BARE.match(clause):
            name, value = clause, True
        if name is None:
            return None, f"cannot read {clause[:30]!r} as an assignment"
        key = name if name in names else by_lower.get(name.lower())
        if key is None:
            return None, f"unknown name {name[:20]!r}"
        if key in result and result[key] != value:
            return None, f"{key} given two values"
        result[key] = value
    if not result:
        return None, "no assignment found"
    return result, "assignment"
