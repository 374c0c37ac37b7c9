"""Logic records re-checked with our own solvers: truth tables, entailment by truth table,
knights and knaves by brute force, SAT by brute force, syllogisms by Venn worlds, sequence
rules by substitution; and the deduction-chains shortcut (kind 8)."""

from __future__ import annotations

import collections
import itertools
import re

from bench.audit.tally import Tally

_TOKEN = re.compile(r"\s*([A-Za-z]\w*|[¬∧∨→↔()])")
_BIN = {"∧": lambda a, b: a and b, "∨": lambda a, b: a or b, "→": lambda a, b: (not a) or b,
        "↔": lambda a, b: a == b}


def formula(text: str):
    """¬ ∧ ∨ → ↔ with parentheses (one binary connective per level) as a tree."""
    toks = _TOKEN.findall(text)
    if "".join(toks) != text.replace(" ", ""):
        raise ValueError(f"cannot read {text!r}")
    pos = 0

    def unary():
        nonlocal pos
        tok = toks[pos]
        pos += 1
        if tok == "¬":
            return ("¬", unary())
        if tok == "(":
            inner = binary()
            pos += 1  # the closing parenthesis
            return inner
        return ("atom", tok)

    def binary():
        nonlocal pos
        left = unary()
        if pos < len(toks) and toks[pos] in _BIN:
            op = toks[pos]
            pos += 1
            return (op, left, unary())
        return left

    tree = binary()
    if pos != len(toks):
        raise ValueError(f"trailing text in {text!r}")
    return tree


def value(tree, env) -> bool:
    if tree[0] == "atom":
        return env[tree[1]]
    if tree[0] == "¬":
        return not value(tree[1], env)
    return _BIN[tree[0]](value(tree[1], env), value(tree[2], env))


def atoms(tree) -> set[str]:
    return {tree[1]} if tree[0] == "atom" else set().union(*(atoms(t) for t in tree[1:]))


def entails(premises, conclusion) -> bool:
    names = sorted(set().union(*(atoms(t) for t in [*premises, conclusion])))
    for bits in itertools.product((True, False), repeat=len(names)):
        env = dict(zip(names, bits, strict=True))
        if all(value(p, env) for p in premises) and not value(conclusion, env):
            return False
    return True


def _truth_tables(rec: dict) -> str | None:
    m = re.search(r"truth table of (.*)\. Rows for (.*?) in the order", rec["prompt"])
    tree, names = formula(m[1]), m[2].split(", ")
    rows = itertools.product((True, False), repeat=len(names))
    return ", ".join("T" if value(tree, dict(zip(names, r, strict=True))) else "F" for r in rows)


def _deduction(rec: dict) -> str | None:
    m = re.search(r"Premises: (.*?)\. Using .* decide whether (\w+) is", rec["prompt"])
    premises = [formula(p) for p in m[1].split("; ")]
    q = ("atom", m[2])
    if entails(premises, q):
        return "true"
    return "false" if entails(premises, ("¬", q)) else "unknown"


def claim_function(words: str, speaker: str):
    """A knight/knave claim in words as a function of a world {name: is_knight}."""
    words = words.rstrip(".")

    def lit(t):
        m = re.fullmatch(r"(I am|(\w+) is) an? (knight|knave)", t.strip())
        who = speaker if m[1] == "I am" else m[2]
        return lambda w: w[who] == (m[3] == "knight")
    if m := re.fullmatch(r"(\w+) and (\w+) are (the same kind|different kinds)", words):
        x, y = (speaker if n == "I" else n for n in (m[1], m[2]))
        return lambda w: (w[x] == w[y]) == (m[3] == "the same kind")
    for joint, op in ((" and ", all), (" or ", any)):
        if joint in words:
            parts = [lit(t) for t in words.split(joint)]
            return lambda w, parts=parts, op=op: op(f(w) for f in parts)
    return lit(words)


def _knights(rec: dict) -> str | None:
    said = dict(re.findall(r"(\w+) says: \"(.*?)\"", rec["prompt"]))
    claims = {s: claim_function(c, s) for s, c in said.items()}
    people = list(said)
    worlds = [dict(zip(people, bits, strict=True)) for bits in itertools.product((True, False), repeat=len(people))]
    good = [w for w in worlds if all(claims[s](w) == w[s] for s in people)]
    if len(good) != 1:
        return f"<{len(good)} consistent worlds>"
    return ", ".join(f"{n}: {'knight' if good[0][n] else 'knave'}" for n in sorted(people))


def _sat(rec: dict) -> str | None:
    body = rec["prompt"].split("?", 1)[1].split(". ")[0]
    clauses = [[(-1 if t.startswith("¬") else 1) * int(t.lstrip("¬x")) for t in c.split(" ∨ ")]
               for c in re.findall(r"\(([^()]*)\)", body)]
    n = max(abs(x) for c in clauses for x in c)
    if rec["answer"] != "UNSAT":
        got = {int(k[1:]): v == "T" for k, v in (x.split("=") for x in rec["answer"].split(", "))}
        ok = all(any(got.get(abs(x)) == (x > 0) for x in c) for c in clauses)
        return rec["answer"] if ok else "<assignment falsifies a clause>"
    sat = any(all(any(bits[abs(x) - 1] == (x > 0) for x in c) for c in clauses)
              for bits in itertools.product((True, False), repeat=n))
    return "<satisfiable>" if sat else "UNSAT"


def _syllogism(rec: dict) -> str | None:
    m = re.match(r"Premises: (.*?)\. (.*?)\. Conclusion: (.*?)\. Is", rec["prompt"])

    def sentence(t):
        for kind, pat in (("O", r"Some (\w+) are not (\w+)"), ("A", r"All (\w+) are (\w+)"),
                          ("E", r"No (\w+) are (\w+)"), ("I", r"Some (\w+) are (\w+)")):
            if s := re.fullmatch(pat, t):
                return kind, s[1], s[2]
        raise ValueError(t)
    stmts = [sentence(t) for t in m.groups()]
    terms = sorted({t for s in stmts for t in s[1:]})
    regions = [frozenset(t for t, b in zip(terms, bits, strict=True) if b)
               for bits in itertools.product((0, 1), repeat=len(terms))]

    def holds(st, world):
        both = any(st[1] in r and st[2] in r for r in world)
        only = any(st[1] in r and st[2] not in r for r in world)
        return {"A": not only, "E": not both, "I": both, "O": only}[st[0]]
    counter = any(holds(stmts[0], w) and holds(stmts[1], w) and not holds(stmts[2], w)
                  for k in range(len(regions) + 1) for w in itertools.combinations(regions, k))
    return "invalid" if counter else "valid"


def _sequence(rec: dict) -> str | None:
    import sympy

    shown = [int(x) for x in re.search(r"starts (.*), \.\.\.", rec["prompt"])[1].split(", ")]
    n = sympy.Symbol("n")
    rule = sympy.sympify(rec["answer"].replace("^", "**"), locals={"n": n})
    return rec["answer"] if [rule.subs(n, i) for i in range(1, len(shown) + 1)] == shown else "<rule misses a term>"


LIMBS = {"triangle": 3, "square": 4, "rectangle": 4, "pentagon": 5, "hexagon": 6, "octagon": 8,
         "bird": 2, "chicken": 2, "duck": 2, "owl": 2, "penguin": 2, "hen": 2, "dog": 4, "cat": 4,
         "horse": 4, "cow": 4, "pig": 4, "sheep": 4, "goat": 4, "lion": 4, "elephant": 4, "frog": 4,
         "mouse": 4, "rabbit": 4, "ant": 6, "bee": 6, "beetle": 6, "ladybug": 6, "butterfly": 6,
         "spider": 8, "crab": 10}
_REL = {"greater than": ">", "bigger than": ">", "more than": ">", "less than": "<",
        "smaller than": "<", "equal to": "=", "the same as": "="}


class _Unread(Exception):
    pass


def _fact(text: str) -> bool:
    t = text.strip().rstrip(".?").strip()
    if m := re.fullmatch(r"(?i)(it is not true that|is it true that) (.*)", t):
        inner = _statement(m[2])
        return (not inner) if m[1].lower().startswith("it is not") else inner
    if m := re.fullmatch(r"(-?\d+) is (greater than|bigger than|more than|less than|smaller than|equal to|the same as) (-?\d+)", t):
        a, b = int(m[1]), int(m[3])
        return {">": a > b, "<": a < b, "=": a == b}[_REL[m[2]]]
    if m := re.fullmatch(r"(\d+) is (even|odd)", t):
        return (int(m[1]) % 2 == 0) == (m[2] == "even")
    if m := re.fullmatch(r"(?i)an? (?:\w+ )*?(\w+) has (\d+) (?:sides?|legs?)", t):
        if m[1].lower() not in LIMBS:
            raise _Unread(t)
        return LIMBS[m[1].lower()] == int(m[2])
    if m := re.fullmatch(r"(\d+) \D+ and (\d+) \D+ make (\d+) \D+", t):
        return int(m[1]) + int(m[2]) == int(m[3])
    if m := re.fullmatch(r"(\d+) \D+ take away (\d+) leaves (\d+) \D+", t):
        return int(m[1]) - int(m[2]) == int(m[3])
    if m := re.fullmatch(r"(\d+) comes right (after|before) (\d+)", t):
        return int(m[1]) == int(m[3]) + (1 if m[2] == "after" else -1)
    if m := re.fullmatch(r"(?i)the number after (-?\d+) is (-?\d+)", t):
        return int(m[1]) + 1 == int(m[2])
    raise _Unread(t)


def _statement(text: str) -> bool:
    """A statement in words with (parenthesised) and/or/not, decided from scratch."""
    t = text.strip().rstrip(".?").strip()
    depth, cuts = 0, []
    for i, ch in enumerate(t):
        depth += (ch == "(") - (ch == ")")
        for word in (" and ", " or "):
            if depth == 0 and t.startswith(word, i):
                cuts.append((i, word))
    for i, word in cuts:
        try:
            left, right = _statement(t[:i]), _statement(t[i + len(word):])
        except _Unread:
            continue
        return (left and right) if word == " and " else (left or right)
    if t.startswith("(") and t.endswith(")"):
        return _statement(t[1:-1])
    return _fact(t)


def _truth_values(rec: dict) -> str | None:
    body = re.sub(r"^(True or false: |Tell me if this is true or false: |Is this statement true or false\? )",
                  "", rec["prompt"])
    try:
        return "true" if _statement(body) else "false"
    except _Unread:
        return None


def _induction(rec: dict) -> str | None:
    import math

    import sympy

    n, k = sympy.Symbol("n"), sympy.Symbol("k")
    if m := re.search(r"sum of (.*) for k = 1 to n", rec["prompt"]):
        term = sympy.sympify(m[1].replace("^", "**"), locals={"k": k})
        closed = sympy.sympify(rec["answer"].replace("^", "**"), locals={"n": n})
        ok = all(closed.subs(n, j) == sum(term.subs(k, i) for i in range(1, j + 1)) for j in range(1, 12))
        return rec["answer"] if ok else "<closed form misses a sum>"
    m = re.search(r"divides P\(n\) = (.*) for every n", rec["prompt"])
    poly = sympy.sympify(m[1].replace("^", "**"), locals={"n": n})
    return str(math.gcd(*(int(poly.subs(n, j)) for j in range(1, 12))))


ANSWERS = {"truth_values": _truth_values, "induction_proofs": _induction,"truth_tables": _truth_tables, "deduction_chains": _deduction, "knights_knaves": _knights,
           "sat_resolution": _sat, "syllogisms": _syllogism, "sequence_rules": _sequence}


def check_logic(rec: dict, tally: Tally) -> None:
    """The answer, and each accepted deduction step's inference, by truth tables."""
    tally.record(rec)
    solve = ANSWERS.get(rec["task"])
    if solve is None:
        tally.checked(rec, "answer not re-derived (no solver)")
    else:
        try:
            want = solve(rec)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError):
            want = "<prompt not read>"
        if want is None:
            tally.checked(rec, "answer not re-derived (no solver)")
        else:
            tally.checked(rec, "answer")
        if want is not None and want != rec["answer"]:
            tally.defect(rec, "A", f"{rec['prompt'][:80]} => {rec['answer']}, re-derived {want} [{rec['id']}]")
    if rec["task"] == "deduction_chains":
        _deduction_steps(rec, tally)


_STEP = re.compile(r"from (.+) and (.+): (.+) \((modus ponens|modus tollens|hypothetical syllogism|"
                   r"disjunctive syllogism)\)")


def _deduction_steps(rec: dict, tally: Tally) -> None:
    premises = re.search(r"Premises: (.*?)\. Using", rec["prompt"])[1].split("; ")
    known = [formula(p) for p in premises]
    for s in rec["steps"]:
        m = _STEP.fullmatch(s["proposal"])
        if s["verdict"] != "accept" or m is None:
            continue
        tally.checked(rec, "inference")
        cited, concl = [formula(m[1]), formula(m[2])], formula(m[3])
        if not all(c in known for c in cited) or not entails(cited, concl):
            tally.defect(rec, "S", f"`{s['proposal']}` does not follow [{rec['id']}]")
        known.append(concl)


def deduction_shortcut(records: list[dict], tally: Tally) -> None:
    """Kind 8: a lookup table from what the premises say about the asked atom (not the
    chain) to the answer, fitted on half the records and scored on the rest; a defect
    when it beats the majority answer by more than 10 points, or one answer exceeds 50%."""
    recs = [r for r in records if r["task"] == "deduction_chains"]
    if len(recs) < 50:
        return
    key = (recs[0]["domain"], recs[0]["level"], "deduction_chains")

    def feature(r):
        atom = re.search(r"decide whether (\w+) is", r["prompt"])[1]
        prem = re.search(r"Premises: (.*?)\. Using", r["prompt"])[1].split("; ")
        mentions = [re.sub(rf"\b(?!{atom}\b)[a-z]\b", "x", p) for p in prem if re.search(rf"\b{atom}\b", p)]
        return tuple(sorted(mentions)), bool(re.search(rf"\b{atom}\b", prem[-1]))
    half = len(recs) // 2
    table: dict = collections.defaultdict(collections.Counter)
    for r in recs[:half]:
        table[feature(r)][r["answer"]] += 1
    answers = collections.Counter(r["answer"] for r in recs)
    major, major_n = answers.most_common(1)[0]
    hits = sum((table[feature(r)].most_common(1)[0][0] if table[feature(r)] else major) == r["answer"]
               for r in recs[half:])
    rule, chance = hits / (len(recs) - half), major_n / len(recs)
    tally.checked(key, "shortcut", len(recs))
    tally.info.append(f"deduction_chains: answers {dict(answers)}; premises-only lookup rule "
                      f"{rule:.1%} vs majority {chance:.1%}")
    if rule > chance + 0.10 or chance > 0.5:
        tally.defect(key, "8", f"premises-only rule {rule:.1%} vs majority answer {chance:.1%}")
