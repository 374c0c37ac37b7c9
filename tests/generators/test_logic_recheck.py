"""Independent re-checks of accepted steps and answers: brute force and substitution in the
test itself, never the generator's own checkers."""

from __future__ import annotations

import contextlib
import itertools
import re
from math import gcd

import sympy

from generators.logic import TASKS
from reasoning.task import Dropped, generate_problem

OPS = {"and": lambda a, b: a and b, "or": lambda a, b: a or b,
       "imp": lambda a, b: (not a) or b, "iff": lambda a, b: a == b}


def ev(f, env):
    """A second evaluator for the JSON formulas the tasks store."""
    if f[0] == "var":
        return env[f[1]]
    if f[0] == "not":
        return not ev(f[1], env)
    return OPS[f[0]](ev(f[1], env), ev(f[2], env))


def atoms_of(f):
    return {f[1]} if f[0] == "var" else set().union(*(atoms_of(g) for g in f[1:]))


def problems(name, level, count, slip_rate=0.3):
    task = TASKS[name]
    config = task.default_config(slip_rate=slip_rate)
    out = []
    for i in range(count):
        with contextlib.suppress(Dropped):
            out.append(generate_problem(task, level, 3, i, config))
    return out


FACTS = {"triangle": 3, "square": 4, "rectangle": 4, "pentagon": 5, "hexagon": 6, "octagon": 8,
         "bird": 2, "chicken": 2, "duck": 2, "owl": 2, "penguin": 2, "dog": 4, "cat": 4,
         "horse": 4, "cow": 4, "pig": 4, "sheep": 4, "goat": 4, "lion": 4, "elephant": 4,
         "frog": 4, "mouse": 4, "rabbit": 4, "ant": 6, "bee": 6, "beetle": 6, "ladybug": 6,
         "butterfly": 6, "spider": 8, "crab": 10}


def test_truth_values_recomputed():
    for level in ("preschool", "primary"):
        for p in problems("truth_values", level, 60):
            env = {}
            for name, atom in p.data["atoms"].items():
                if atom[0] == "cmp":
                    env[name] = {">": atom[1] > atom[3], "<": atom[1] < atom[3], "=": atom[1] == atom[3]}[atom[2]]
                elif atom[0] == "even":
                    env[name] = atom[1] % 2 == 0
                elif atom[0] in ("add", "take", "after"):
                    a, b, c = atom[1:4] if atom[0] != "after" else (atom[2], 1, atom[1])
                    env[name] = (a - b if atom[0] == "take" else a + b) == c
                else:
                    env[name] = FACTS[atom[1]] == atom[2]
            assert p.answer == ("true" if ev(p.data["formula"], env) else "false")
            # accepted atom steps come in atom-name order and state the recomputed values
            facts = [s for s in p.steps if s.check.checker == "fact"]
            accepted = [s.proposal.endswith(": true") for s in facts if s.verdict == "accept"]
            assert accepted == [env[k] for k in sorted(env)]


def test_truth_table_rows_recomputed():
    for p in problems("truth_tables", "middle", 60):
        names, f = p.data["variables"], p.data["formula"]
        column = [ev(f, dict(zip(names, vals, strict=True)))
                  for vals in itertools.product((True, False), repeat=len(names))]
        accepted = [s for s in p.steps if s.verdict == "accept"]
        assert [s.proposal.rsplit("= ", 1)[1] == "T" for s in accepted] == column
        assert p.answer == ", ".join("T" if v else "F" for v in column)
        for s in p.steps:
            if s.verdict == "reject":
                assert s.proposal not in {a.proposal for a in accepted}


def _venn_valid(mood, figure, _cache={}):  # noqa: B006 -- memo across calls on purpose
    """Brute force over which of the 8 S/M/P regions are inhabited, written with sets."""
    if (mood, figure) in _cache:
        return _cache[(mood, figure)]
    pos = {1: ("MP", "SM"), 2: ("PM", "SM"), 3: ("MP", "MS"), 4: ("PM", "MS")}[figure]
    stmts = [(mood[0], *pos[0]), (mood[1], *pos[1]), (mood[2], "S", "P")]
    regions = [frozenset(t for t, b in zip("SMP", bits, strict=True) if b)
               for bits in itertools.product((0, 1), repeat=3)]

    def holds(kind, x, y, world):
        both = any(x in r and y in r for r in world)
        x_not_y = any(x in r and y not in r for r in world)
        return {"A": not x_not_y, "E": not both, "I": both, "O": x_not_y}[kind]

    ok = True
    for k in range(len(regions) + 1):
        for world in itertools.combinations(regions, k):
            if holds(*stmts[0], world) and holds(*stmts[1], world) and not holds(*stmts[2], world):
                ok = False
    _cache[(mood, figure)] = ok
    return ok


def test_syllogism_validity_by_venn_sets():
    seen = set()
    for p in problems("syllogisms", "middle", 80):
        valid = _venn_valid(p.data["mood"], p.data["figure"])
        assert p.answer == ("valid" if valid else "invalid")
        seen.add(valid)
    assert seen == {True, False}
    assert sum(_venn_valid(a + b + c, f) for a, b, c in itertools.product("AEIO", repeat=3)
               for f in (1, 2, 3, 4)) == 15  # the fifteen unconditionally valid forms


def _entails(premises, conclusion):
    names = sorted(set().union(*(atoms_of(f) for f in [*premises, conclusion])))
    for vals in itertools.product((True, False), repeat=len(names)):
        env = dict(zip(names, vals, strict=True))
        if all(ev(f, env) for f in premises) and not ev(conclusion, env):
            return False
    return True


def _lit_node(f):
    return (f[1], True) if f[0] == "var" else (f[1][1], False)


def _two_cnf_unsat(premises):
    """Unsatisfiable iff some atom and its negation reach each other in the implication
    graph (a → b for each clause ¬a ∨ b): a second method, not the generator's search."""
    edges = {}
    for f in premises:
        if f[0] == "imp":
            pairs = [(_lit_node(f[1]), _lit_node(f[2]))]
        elif f[0] == "or":
            a, b = _lit_node(f[1]), _lit_node(f[2])
            pairs = [((a[0], not a[1]), b), ((b[0], not b[1]), a)]
        else:
            a = _lit_node(f)
            pairs = [((a[0], not a[1]), a)]
        for x, y in pairs:
            edges.setdefault(x, set()).add(y)
            edges.setdefault((y[0], not y[1]), set()).add((x[0], not x[1]))

    def reach(start):
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    return any((a, not v) in reach((a, v)) and (a, v) in reach((a, not v)) for a, v in edges)


def test_deduction_steps_entail_by_truth_table():
    answers = set()
    for p in problems("deduction_chains", "high", 60, slip_rate=0.5):
        known = [tuple_json(f) for f in p.data["given"]]
        inferences = p.steps[:-1]
        assert len(inferences) == len(p.data["derivations"])
        for step, (_rule, cited, concl) in zip(inferences, p.data["derivations"], strict=True):
            cited_t, concl_t = [tuple_json(c) for c in cited], tuple_json(concl)
            # the step's text is what was checked: "from (A) and B: C (rule)"
            assert step.proposal.startswith("from ") and f": {_text(concl)} (" in step.proposal
            if step.verdict == "accept":
                assert all(c in known for c in cited_t)
                assert _entails(cited, concl)
                known.append(concl_t)
            else:  # the fallacies do not follow
                assert not _entails(cited, concl)
        goal, given = ["var", p.data["atom"]], p.data["given"]
        assert not _two_cnf_unsat(given)  # consistent premises
        holds, fails = _two_cnf_unsat([*given, ["not", goal]]), _two_cnf_unsat([*given, goal])
        expected = "true" if holds else "false" if fails else "unknown"
        assert p.answer == expected and p.steps[-1].proposal.startswith(f"so {goal[1]} is {expected}")
        answers.add(expected)
    assert answers == {"true", "false", "unknown"}


def _text(f):
    if f[0] == "var":
        return f[1]
    if f[0] == "not":
        return "¬" + (_text(f[1]) if f[1][0] in ("var", "not") else f"({_text(f[1])})")
    sym = {"and": "∧", "or": "∨", "imp": "→", "iff": "↔"}[f[0]]
    side = [_text(g) if g[0] in ("var", "not") else f"({_text(g)})" for g in f[1:]]
    return f"{side[0]} {sym} {side[1]}"


def tuple_json(f):
    return tuple(x if isinstance(x, str) else tuple_json(x) for x in f)


def test_knights_knaves_unique_solution_by_brute_force():
    for p in problems("knights_knaves", "high", 50):
        claims = p.data["claims"]
        people = sorted(claims)
        worlds = [dict(zip(people, vals, strict=True))
                  for vals in itertools.product((True, False), repeat=len(people))]
        good = [w for w in worlds if all(w[s] == ev(c, w) for s, c in claims.items())]
        assert len(good) == 1
        assert p.answer == ", ".join(f"{n}: {'knight' if good[0][n] else 'knave'}" for n in people)
        consistent_steps = [s for s in p.steps if s.verdict == "accept" and s.proposal.endswith("consistent")]
        assert len(consistent_steps) == 1


def test_sat_answers_by_brute_force():
    seen = set()
    for p in problems("sat_resolution", "university", 40):
        clauses, n = p.data["clauses"], p.data["variables"]
        sat = any(all(any((lit > 0) == bits[abs(lit) - 1] for lit in c) for c in clauses)
                  for bits in itertools.product((True, False), repeat=n))
        seen.add(sat)
        if not sat:
            assert p.answer == "UNSAT"
            continue
        assign = {int(m.group(1)): m.group(2) == "T" for m in re.finditer(r"x(\d+)=([TF])", p.answer)}
        assert all(any((lit > 0) == assign[abs(lit)] for lit in c) for c in clauses)
        for s in p.steps:  # an accepted unit step names a real clause and the literal's polarity
            m = re.match(r"unit: \((.*)\) leaves (¬?)x(\d+) → x(\d+)=([TF])$", s.proposal)
            if m and s.verdict == "accept":
                lits = [(-1 if t.startswith("¬") else 1) * int(t.lstrip("¬x")) for t in m.group(1).split(" ∨ ")]
                assert lits in clauses
                assert (m.group(2) == "") == (m.group(5) == "T") and m.group(3) == m.group(4)
    assert seen == {True, False}


def test_induction_claims_by_substitution():
    n = sympy.Symbol("n")
    for p in problems("induction_proofs", "university", 10):
        if p.data["kind"] == "sum":
            closed = sympy.sympify(p.answer.replace("^", "**"))
            k = sympy.Symbol("k")
            f = sympy.sympify(p.data["summand"].replace("^", "**"))
            for m in range(1, 12):
                assert closed.subs(n, m) == sum(f.subs(k, j) for j in range(1, m + 1))
        else:
            poly = sympy.sympify(p.data["p"].replace("^", "**"))
            values = [int(poly.subs(n, m)) for m in range(1, 25)]
            assert all(v % int(p.answer) == 0 for v in values)
            assert gcd(*values) == int(p.answer)


def test_sequence_rules_by_substitution():
    n = sympy.Symbol("n")
    for p in problems("sequence_rules", "university", 60):
        rule = sympy.sympify(p.answer.replace("^", "**"))
        terms = p.data["terms"]
        assert [rule.subs(n, m) for m in range(1, len(terms) + 1)] == terms
        shown = [int(x) for x in re.search(r"starts (.*), \.\.\.", p.prompt).group(1).split(", ")]
        assert shown == terms[:p.data["shown"]]
        held = next(s for s in p.steps if s.check.checker == "held_out")
        for m, v in re.findall(r"a_(\d+) = (-?\d+)", held.proposal):
            assert int(m) > p.data["shown"] and rule.subs(n, int(m)) == int(v)


def test_verifiers_accept_other_correct_answers():
    seq = TASKS["sequence_rules"]
    for p in problems("sequence_rules", "university", 20):
        other = str(sympy.expand(sympy.sympify(p.answer.replace("^", "**")))).replace("**", "^")
        assert seq.verify(p, other).score == 1.0, other
        # right on every shown term, wrong on the held-out ones
        fooled = f"{p.answer} + " + "".join(f"(n-{k})" for k in range(1, p.data["shown"] + 1))
        assert seq.verify(p, fooled).score == 0.0
    ind = TASKS["induction_proofs"]
    for p in problems("induction_proofs", "university", 6):
        if p.data["kind"] == "sum":
            assert ind.verify(p, str(sympy.expand(sympy.sympify(p.answer.replace("^", "**"))))).score == 1.0
    sat = TASKS["sat_resolution"]
    alternatives = 0
    for p in problems("sat_resolution", "university", 30):
        clauses, nv = p.data["clauses"], p.data["variables"]
        for bits in itertools.product((True, False), repeat=nv):
            text = ", ".join(f"x{i + 1}={'T' if b else 'F'}" for i, b in enumerate(bits))
            good = all(any((lit > 0) == bits[abs(lit) - 1] for lit in c) for c in clauses)
            assert sat.verify(p, text).score == (1.0 if good else 0.0)
            alternatives += good and text != p.answer
    assert alternatives > 0
    kk = TASKS["knights_knaves"]
    for p in problems("knights_knaves", "high", 10):
        parts = [x.split(": ") for x in p.answer.split(", ")][::-1]
        assert kk.verify(p, ", ".join(f"{a} is a {b}" for a, b in parts)).score == 1.0
