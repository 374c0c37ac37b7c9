"""Every accepted step of every logic task, at every level, re-checked from its shown text.

The test reads the prompt and each accepted proposal as a reader would (the data audit's parser
for ¬ ∧ ∨ → ↔ and truth tables, its own arithmetic; sympy only to read the induction and
sequence formulas), never the generator's data or checkers, so a claim that is false as
written fails here even when the record's stored data agrees with itself.
"""

from __future__ import annotations

import contextlib
import itertools
import re

import pytest
import sympy

from bench.audit.logic_checks import (  # formulas: the audit's, no generator code
    claim_function,
    entails,
    value,
)
from bench.audit.logic_checks import formula as parse_formula
from generators.logic import TASKS
from reasoning.task import Dropped, generate_problem

LEVELS = [(name, level) for name, task in TASKS.items() for level in task.levels]
COUNT = {"induction_proofs": 40, "sat_resolution": 60}


def problems(name, level, **options):
    task = TASKS[name]
    config = task.default_config(slip_rate=0.3, **options)
    out = []
    for i in range(COUNT.get(name, 150)):
        with contextlib.suppress(Dropped):
            out.append(generate_problem(task, level, 21, i, config))
    assert len(out) > COUNT.get(name, 150) * 0.8
    return out




def accepted(p):
    return [s.proposal for s in p.steps if s.verdict == "accept"]


# --- one checker per task -------------------------------------------------------------

FACTS = {"triangle": 3, "square": 4, "rectangle": 4, "pentagon": 5, "hexagon": 6, "octagon": 8,
         "bird": 2, "chicken": 2, "duck": 2, "owl": 2, "penguin": 2, "dog": 4, "cat": 4,
         "horse": 4, "cow": 4, "pig": 4, "sheep": 4, "goat": 4, "lion": 4, "elephant": 4,
         "frog": 4, "mouse": 4, "rabbit": 4, "ant": 6, "bee": 6, "beetle": 6, "ladybug": 6,
         "butterfly": 6, "spider": 8, "crab": 10}
REL = {"is greater than": ">", "is bigger than": ">", "is more than": ">", "is less than": "<",
       "is smaller than": "<", "is equal to": "=", "is the same as": "="}


def fact_truth(text):
    """Decide a simple statement in words from scratch."""
    if m := re.fullmatch(r"(\d+) (is [a-z ]+?) (\d+)", text):
        a, b = int(m[1]), int(m[3])
        return {">": a > b, "<": a < b, "=": a == b}[REL[m[2]]]
    if m := re.fullmatch(r"(\d+) is even", text):
        return int(m[1]) % 2 == 0
    if m := re.fullmatch(r"an? (?:\w+ )?(\w+) has (\d+) (?:sides?|legs?)", text):
        return FACTS[m[1]] == int(m[2])
    if m := re.fullmatch(r"(\d+) (\D+) and (\d+) \D+ make (\d+) \D+", text):
        return int(m[1]) + int(m[3]) == int(m[4])
    if m := re.fullmatch(r"(\d+) \D+ take away (\d+) leaves (\d+) \D+", text):
        return int(m[1]) - int(m[2]) == int(m[3])
    if m := re.fullmatch(r"(\d+) comes right after (\d+)", text):
        return int(m[1]) == int(m[2]) + 1
    if m := re.fullmatch(r"(\d+) comes right before (\d+)", text):
        return int(m[1]) + 1 == int(m[2])
    if m := re.fullmatch(r"the number after (\d+) is (\d+)", text):
        return int(m[1]) + 1 == int(m[2])
    raise AssertionError(f"cannot read {text!r}")


def critic_arithmetic_holds(critic):
    """A critic's recomputation, as written: `a > b`, `a + b = c`, `a = 2 × k + 1`, facts."""
    body = critic.removesuffix(" ✓").split(", so")[0]
    if m := re.fullmatch(r"(\d+) ([<>=]) (\d+)", body):
        a, b = int(m[1]), int(m[3])
        return {">": a > b, "<": a < b, "=": a == b}[m[2]]
    if m := re.fullmatch(r"(\d+) = 2 × (\d+)( \+ 1)?", body):
        return int(m[1]) == 2 * int(m[2]) + (1 if m[3] else 0)
    if m := re.fullmatch(r"(\d+) ([+-]) (\d+) = (-?\d+)", body):
        a, b = int(m[1]), int(m[3])
        return (a + b if m[2] == "+" else a - b) == int(m[4])
    if m := re.fullmatch(r"an? (\w+) has (\d+) (?:sides|legs)", body):
        return FACTS[m[1]] == int(m[2])
    m = re.fullmatch(r"(not )?(true|false)(?: (and|or) (true|false))? = (true|false)", body)
    a, b, result = m[2] == "true", m[4] == "true", m[5] == "true"
    return result == ((not a) if m[1] else (a and b) if m[3] == "and" else (a or b) if m[3] else a)


def reason_decides(reason, statement):
    """A fact step written reason first ("1 + 6 = 7, so ... make 8 ...: false"): the reason
    holds, and it is about the statement's own numbers or thing; returns what it decides."""
    assert critic_arithmetic_holds(reason), reason
    nums = [int(x) for x in re.findall(r"\d+", statement)]
    if m := re.fullmatch(r"(\d+) ([+-]) (\d+) = (-?\d+)", reason):
        a, b, c = int(m[1]), int(m[3]), int(m[4])
        if "comes right" in statement or "number after" in statement:  # "n + 1 = c": after n comes c
            assert m[2] == "+" and b == 1 and a in nums and len(nums) == 2, (reason, statement)
            other = nums[1] if nums[0] == a else nums[0]
            return other == c
        assert nums[:2] == [a, b], (reason, statement)
        return nums[2] == c
    if m := re.fullmatch(r"(\d+) ([<>=]) (\d+)", reason):
        assert nums == [int(m[1]), int(m[3])], (reason, statement)
        return fact_truth(statement)  # the relation is restated in words: read it afresh
    if m := re.fullmatch(r"(\d+) = 2 × (\d+)( \+ 1)?", reason):
        assert nums == [int(m[1])] and statement.endswith("is even"), (reason, statement)
        return not m[3]
    m = re.fullmatch(r"an? (\w+) has (\d+) (sides|legs)", reason)
    assert m and f" {m[1]} has " in statement and m[3][:3] in statement, (reason, statement)
    return int(m[2]) == nums[0]


def check_truth_values(p, reason_first=False):
    for step in p.steps:
        if step.verdict == "accept":
            assert critic_arithmetic_holds(step.critic), step.critic
    last = None
    for text in accepted(p):
        if " — " in text:  # a connective: "WORDS — a and b = c"
            m = re.fullmatch(r"(not )?(true|false)(?: (and|or) (true|false))? = (true|false)",
                             text.split(" — ")[1])
            a, b, result = m[2] == "true", m[4] == "true", m[5] == "true"
            want = (not a) if m[1] else (a and b) if m[3] == "and" else (a or b) if m[3] else a
            assert want == result, text
        else:
            statement, claim = text.rsplit(": ", 1)
            result = claim == "true"
            if reason_first:
                reason, statement = statement.split(", so ", 1)
                assert reason_decides(reason, statement) == result, text
            assert fact_truth(statement) == result, text
        last = result
    assert p.answer == ("true" if last else "false")


def check_truth_tables(p):
    column = []
    for text in accepted(p):
        env_text, claims = text.split(": ", 1)
        env = {k: v == "T" for k, v in (x.split("=") for x in env_text.split(", "))}
        for claim in claims.split(", "):
            formula, shown = claim.rsplit(" = ", 1)
            assert value(parse_formula(formula), env) == (shown == "T"), (text, claim)
        column.append(shown)
    for step in p.steps:  # the critic restates the row's value of the whole formula
        if step.verdict == "accept":
            assert step.critic == f"{step.proposal.rsplit(', ', 1)[-1].split(': ')[-1]} ✓"
    assert p.answer == ", ".join(column)


def check_deduction_chains(p):
    premises = [parse_formula(x) for x in re.search(r"Premises: (.*?)\. Using", p.prompt)[1].split("; ")]
    q = re.search(r"decide whether (\w+) is", p.prompt)[1]
    known = list(premises)
    for text in accepted(p)[:-1]:
        m = re.fullmatch(r"from (.+) and (.+): (.+) \((modus ponens|modus tollens|hypothetical "
                         r"syllogism|disjunctive syllogism)\)", text)
        cited = [parse_formula(x) for x in (m[1], m[2])]
        concl = parse_formula(m[3])
        assert all(c in known for c in cited) and entails(cited, concl), text
        known.append(concl)
    holds, fails = entails(premises, ("atom", q)), entails(premises, ("¬", ("atom", q)))
    assert not (holds and fails)  # consistent premises
    answer = "true" if holds else "false" if fails else "unknown"
    assert p.answer == answer and accepted(p)[-1].startswith(f"so {q} is {answer}")


def check_knights_knaves(p):
    said = dict(re.findall(r"(\w+) says: \"(.*?)\"", p.prompt))
    claims = {s: claim_function(c, s) for s, c in said.items()}
    people = list(said)
    good = []
    for text in accepted(p)[:-1]:
        m = re.fullmatch(r"case (.*?): (.*) → (consistent|contradiction \((.*)\))", text)
        world = {n: r == "knight" for n, r in (x.split("=") for x in m[1].split(", "))}
        truths = dict(re.findall(r"(\w+)'s claim is (true|false)", m[2]))
        assert all((truths[s] == "true") == claims[s](world) for s in people), text
        liars = [s for s in people if claims[s](world) != world[s]]
        assert (m[3] == "consistent") == (not liars) and (not liars or m[4] == ", ".join(liars))
        good += [world] if not liars else []
    worlds = [dict(zip(people, bits, strict=True)) for bits in itertools.product((True, False), repeat=len(people))]
    truly = [w for w in worlds if all(claims[s](w) == w[s] for s in people)]
    assert good == truly and len(truly) == 1
    answer = ", ".join(f"{n}: {'knight' if truly[0][n] else 'knave'}" for n in sorted(people))
    assert p.answer == answer and accepted(p)[-1] == f"only consistent case: {answer}"


def _lits(clause_text):
    return [(-1 if t.startswith("¬") else 1) * int(t.lstrip("¬x")) for t in clause_text.split(" ∨ ")]


def check_sat_resolution(p):
    clauses = [_lits(c) for c in re.findall(r"\(([^()]*)\)", p.prompt.split(". Use")[0])]
    n = max(abs(x) for c in clauses for x in c)
    assign, saved = {}, {}
    for text in accepted(p):
        if m := re.fullmatch(r"decide x(\d+)=T", text):
            saved[int(m[1])] = dict(assign)
            assign[int(m[1])] = True
        elif m := re.fullmatch(r"backtrack: try x(\d+)=F", text):
            assign = {**saved[int(m[1])], int(m[1]): False}
        elif m := re.fullmatch(r"unit: \((.*)\) leaves (¬?x\d+) → x(\d+)=([TF])", text):
            clause, lit = _lits(m[1]), _lits(m[2])[0]
            assert clause in clauses and lit in clause and abs(lit) == int(m[3]) and abs(lit) not in assign
            assert all(assign.get(abs(x)) == (x < 0) for x in clause if x != lit), text
            assert (m[4] == "T") == (lit > 0)
            assign[abs(lit)] = lit > 0
        elif m := re.fullmatch(r"conflict: \((.*)\) is false under (.*)", text):
            shown = {int(k[1:]): v == "T" for k, v in (x.split("=") for x in m[2].split(", "))}
            assert shown == assign and _lits(m[1]) in clauses
            assert all(assign.get(abs(x)) == (x < 0) for x in _lits(m[1])), text
        elif m := re.fullmatch(r"every clause satisfied by (.*)", text):
            full = {int(k[1:]): v == "T" for k, v in (x.split("=") for x in m[1].split(", "))}
            assert all(any(full[abs(x)] == (x > 0) for x in c) for c in clauses)
            assert p.answer == m[1]
        else:
            assert text == "every branch ends in a conflict: UNSAT", text
            assert not any(all(any(bits[abs(x) - 1] == (x > 0) for x in c) for c in clauses)
                           for bits in itertools.product((True, False), repeat=n))
            assert p.answer == "UNSAT"


N = sympy.Symbol("n")


def read(text):
    return sympy.sympify(text.replace("^", "**"), locals={"n": N, "k": sympy.Symbol("k")})


def check_induction_proofs(p):
    if m := re.search(r"sum of (.*) for k = 1 to n", p.prompt):
        f = read(m[1]).subs(sympy.Symbol("k"), N)
        for text in accepted(p):
            if b := re.fullmatch(r"base n = 1: left (-?\d+), right (.*) at 1 = (-?\d+)", text):
                assert int(b[1]) == f.subs(N, 1) and read(b[2]).subs(N, 1) == int(b[3]) == int(b[1])
            elif s := re.fullmatch(r"step: (.*) \+ \((.*)\) = (.*) = F\(n\+1\)", text):
                big, g, nxt = read(s[1]), read(s[2]), read(s[3])
                assert sympy.expand(g - f.subs(N, N + 1)) == 0
                assert sympy.expand(big + g - nxt) == 0 and sympy.expand(nxt - big.subs(N, N + 1)) == 0
            elif c := re.fullmatch(r"by induction: sum of .* equals (.*) for all n ≥ 1", text):
                closed = read(c[1])
                assert all(closed.subs(N, j) == sum(f.subs(N, i) for i in range(1, j + 1)) for j in range(1, 15))
                assert sympy.expand(closed - read(p.answer)) == 0
        return
    poly = read(re.search(r"divides P\(n\) = (.*) for every n", p.prompt)[1])
    for text in accepted(p):
        if b := re.fullmatch(r"base n = 1: P\(1\) = (.*) = (-?\d+), divisible by (\d+)", text):
            assert read(b[1]) == poly.subs(N, 1) == int(b[2]) and int(b[2]) % int(b[3]) == 0
        elif s := re.fullmatch(r"step: P\(n\+1\) = (\d+)\*P\(n\) \+ (.*), both divisible by (\d+)", text):
            rest = read(s[2])
            assert sympy.expand(poly.subs(N, N + 1) - int(s[1]) * poly - rest) == 0
            assert sympy.Poly(sympy.expand(rest / int(s[3])).subs(N, 1), N) is not None
            assert all(rest.subs(N, j) % int(s[3]) == 0 for j in range(1, 10))
        elif s := re.fullmatch(r"step: P\(n\+1\) - P\(n\) = (\d+)\*\((.*)\), so P\(n\+1\) is divisible by (\d+)", text):
            q = read(s[2])
            assert sympy.expand(poly.subs(N, N + 1) - poly - int(s[1]) * q) == 0 and s[1] == s[3]
            assert all(c.is_integer for c in sympy.Poly(q, N).all_coeffs())
        elif c := re.fullmatch(r"by induction: (\d+) divides (.*) for all n ≥ 1", text):
            assert all(read(c[2]).subs(N, j) % int(c[1]) == 0 for j in range(1, 15))
            assert c[1] == p.answer


def check_sequence_rules(p):
    shown = [int(x) for x in re.search(r"starts (.*), \.\.\.", p.prompt)[1].split(", ")]
    rows = {"first differences": shown}
    rule = None
    for text in accepted(p):
        label, body = text.split(": ", 1)
        if label in ("first differences", "second differences"):
            source = rows["first differences"] if label == "first differences" else rows["second source"]
            got = [int(x) for x in body.split(", ")]
            assert got == [b - a for a, b in itertools.pairwise(source)], text
            rows["second source"] = got
        elif label.startswith("ratio of consecutive"):
            source = shown if label.endswith("terms") else [b - a for a, b in itertools.pairwise(shown)]
            r = sympy.Rational(body.split(" ")[0])
            assert all(b == r * a for a, b in itertools.pairwise(source))
        elif label == "rule":
            rule = read(body.removeprefix("a_n = "))
            assert [rule.subs(N, i) for i in range(1, len(shown) + 1)] == shown
        else:
            assert label == "held-out" and rule is not None
            for m, v in re.findall(r"a_(\d+) = (-?\d+)", body):
                assert rule.subs(N, int(m)) == int(v) and int(m) > len(shown)


def check_syllogisms(p):
    m = re.match(r"Premises: (.*?)\. (.*?)\. Conclusion: (.*?)\. Is", p.prompt)

    def sentence(t):
        for kind, pat in (("O", r"Some (\w+) are not (\w+)"), ("A", r"All (\w+) are (\w+)"),
                          ("E", r"No (\w+) are (\w+)"), ("I", r"Some (\w+) are (\w+)")):
            if s := re.fullmatch(pat, t):
                return kind, s[1], s[2]
        raise AssertionError(t)
    major, minor, concl = (sentence(t) for t in m.groups())
    s_term, p_term = concl[1], concl[2]
    m_term = ({major[1], major[2]} - {p_term}).pop()
    stmts = (major, minor, concl)
    dist = {"A": (True, False), "E": (True, True), "I": (False, False), "O": (False, True)}

    def distributed(stmt, term):
        return any(t == term and d for t, d in zip(stmt[1:], dist[stmt[0]], strict=True))
    neg = [st[0] in "EO" for st in stmts]
    broken = {
        "the middle term is distributed in a premise": not (distributed(major, m_term) or distributed(minor, m_term)),
        "the major term is not distributed only in the conclusion": distributed(concl, p_term) and not distributed(major, p_term),
        "the minor term is not distributed only in the conclusion": distributed(concl, s_term) and not distributed(minor, s_term),
        "not both premises are negative": neg[0] and neg[1],
        "the conclusion is negative exactly when a premise is": (neg[0] or neg[1]) != neg[2],
        "no particular conclusion from two universal premises": major[0] in "AE" and minor[0] in "AE" and concl[0] in "IO"}
    for text in accepted(p):
        if text.startswith("form "):
            figure = {(m_term, p_term, s_term, m_term): 1, (p_term, m_term, s_term, m_term): 2,
                      (m_term, p_term, m_term, s_term): 3, (p_term, m_term, m_term, s_term): 4}[
                (major[1], major[2], minor[1], minor[2])]
            assert text.startswith(f"form {major[0]}{minor[0]}{concl[0]}-{figure};")
            for label, st in zip(("major", "minor", "conclusion"), stmts, strict=True):
                terms = [t for t, d in zip(st[1:], dist[st[0]], strict=True) if d]
                assert f"{label}: {', '.join(terms) or 'none'}" in text
        elif text.startswith("rule: "):
            rule, verdict = text.removeprefix("rule: ").split(" — ")
            assert broken[rule] == (verdict != "holds"), text
        else:
            regions = [frozenset(t for t, b in zip("SMP", bits, strict=True) if b)
                       for bits in itertools.product((0, 1), repeat=3)]
            role = {s_term: "S", m_term: "M", p_term: "P"}

            def holds(st, world, role=role):
                x, y = role[st[1]], role[st[2]]
                both = any(x in r and y in r for r in world)
                x_only = any(x in r and y not in r for r in world)
                return {"A": not x_only, "E": not both, "I": both, "O": x_only}[st[0]]
            valid = not any(holds(major, w) and holds(minor, w) and not holds(concl, w)
                            for k in range(9) for w in itertools.combinations(regions, k))
            assert text == f"so the syllogism is {'valid' if valid else 'invalid'}"
            assert p.answer == ("valid" if valid else "invalid")


CHECKS = {"truth_values": check_truth_values, "truth_tables": check_truth_tables,
          "syllogisms": check_syllogisms, "deduction_chains": check_deduction_chains,
          "knights_knaves": check_knights_knaves, "sat_resolution": check_sat_resolution,
          "induction_proofs": check_induction_proofs, "sequence_rules": check_sequence_rules}


def test_every_task_has_a_checker():
    assert set(CHECKS) == set(TASKS)


@pytest.mark.parametrize(("name", "level"), LEVELS, ids=[f"{n}-{lv}" for n, lv in LEVELS])
def test_accepted_steps_hold_as_written(name, level):
    for p in problems(name, level):
        CHECKS[name](p)


@pytest.mark.parametrize("level", TASKS["truth_values"].levels)
def test_truth_values_written_reason_first_hold_as_written(level):
    # The `reasoned` textbook form: each fact step recomputes the fact, then decides.
    ps = problems("truth_values", level, reason_first=True)
    for p in ps:
        check_truth_values(p, reason_first=True)
    facts = [s for p in ps for s in p.steps if s.verdict == "accept" and " — " not in s.proposal]
    assert facts and all(", so " in s.proposal for s in facts)
    # A slip keeps the recomputation and flips the verdict: the critic rejects it.
    slips = [s for p in ps for s in p.steps if s.verdict == "reject"]
    assert slips and all(s.slip == "wrong_verdict" for s in slips if " — " not in s.proposal)


def stated_claim(statement):
    """What a simple statement claims, read from its words: the number it names as the
    result, the relation it states, or `even`."""
    if m := re.fullmatch(r"\d+ (is [a-z ]+?) \d+", statement):
        return REL[m[1]]
    if statement.endswith(" is even"):
        return "even"
    if m := re.fullmatch(r"(\d+) comes right after \d+", statement):
        return m[1]
    if m := re.fullmatch(r"(?:\d+ comes right before|the number after \d+ is) (\d+)", statement):
        return m[1]
    return re.findall(r"\d+", statement)[-1]  # sums, take-aways, sides, legs: the last number


def computed(reason):
    """The value a recomputation finds, in the same terms as `stated_claim`."""
    if m := re.fullmatch(r"\d+ ([<>=]) \d+", reason):
        return m[1]
    if m := re.fullmatch(r"\d+ = 2 × \d+( \+ 1)?", reason):
        return "odd" if m[1] else "even"
    return re.findall(r"\d+", reason)[-1]


@pytest.mark.parametrize("level", TASKS["truth_values"].levels)
def test_truth_values_written_claim_beside_hold_as_written(level):
    # The `beside` textbook form: "STATEMENT: FACT vs CLAIM: VERDICT".
    ps = problems("truth_values", level, claim_beside=True)
    decided = 0
    for p in ps:
        last = None
        for text in accepted(p):
            if " — " in text:
                last = text.rsplit(" = ", 1)[1] == "true"
                continue
            m = re.fullmatch(r"(.+): (.+) vs (\S+): (true|false)", text)
            assert m, text
            statement, reason, claim, verdict = m[1], m[2], m[3], m[4] == "true"
            assert critic_arithmetic_holds(reason), text
            assert reason_decides(reason, statement) == verdict == fact_truth(statement), text
            assert claim == stated_claim(statement), text
            assert (computed(reason) == claim) == verdict, text
            last, decided = verdict, decided + 1
        assert p.answer == ("true" if last else "false")
    assert decided >= len(ps)  # a fact step in every problem at least
    slips = [s for p in ps for s in p.steps if s.verdict == "reject" and " — " not in s.proposal]
    assert slips and all(s.slip == "wrong_verdict" for s in slips)


def test_truth_values_fact_forms_are_one_or_the_other():
    with pytest.raises(ValueError, match="choose one"):
        TASKS["truth_values"].default_config(reason_first=True, claim_beside=True)
