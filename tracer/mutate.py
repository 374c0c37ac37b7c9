"""AST mutation operators: plant one small, typical bug in a Python program.

Every operator rewrites exactly one AST node and the program is written back with
`ast.unparse`, so a mutant differs from the canonical form of its original
(`canonical(code)`) on exactly one line, which is the bug's location. A deleted
statement becomes `pass` rather than disappearing, so line numbers stay aligned between
the original and the mutant (the traces of both can be compared step by step).

This module only writes source text; it never runs it. Whether a mutant is observable
(its outcome differs on some input) is decided by running both through a sandbox
(`generators.code.bug_finding`) and comparing their outcomes; where their traces first
part ways is found by `tracer.divergence`.
"""

from __future__ import annotations

import ast
import builtins
import copy
import random
from collections.abc import Iterator
from dataclasses import dataclass

_BUILTIN_NAMES = frozenset(dir(builtins))

# Swaps chosen to look like slips a person makes, not arbitrary replacements.
_ARITH_SWAP: dict[type, type] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.FloorDiv: ast.Mult,
    ast.Div: ast.Mult, ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult,
}  # fmt: skip
_COMPARE_SWAP: dict[type, type] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
}  # fmt: skip


@dataclass(frozen=True)
class Mutant:
    """One planted bug: the operator, the 1-based line it changed, that line before and
    after, and the whole mutated program."""

    operator: str
    line: int
    original_line: str
    mutated_line: str
    code: str


@dataclass(frozen=True)
class _Site:
    operator: str
    node_index: int  # position of the node in `_nodes(tree)`
    variant: int = 0  # which of several rewrites of the same node


def canonical(code: str) -> str:
    """The program as `ast.unparse` writes it: the form mutants are compared against."""
    return ast.unparse(ast.parse(code))


def _nodes(tree: ast.AST) -> list[ast.AST]:
    # Depth-first in source order: stable across re-parses of the same text.
    out: list[ast.AST] = []

    def visit(node: ast.AST) -> None:
        out.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    # Keyed by position in `_nodes`, never by id(), so the map is reproducible.
    nodes = _nodes(tree)
    index = {id(n): i for i, n in enumerate(nodes)}
    parents: dict[int, ast.AST] = {}
    for node in nodes:
        for child in ast.iter_child_nodes(node):
            parents[index[id(child)]] = node
    return parents


def _function_scopes(tree: ast.AST) -> Iterator[ast.FunctionDef]:
    for node in _nodes(tree):
        if isinstance(node, ast.FunctionDef):
            yield node


def _assigned_lines(func: ast.FunctionDef) -> dict[str, int]:
    """Each local name of `func` and the first line that binds it (parameters: the def line)."""
    first: dict[str, int] = {a.arg: func.lineno for a in func.args.args}
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            first.setdefault(node.id, node.lineno)
            first[node.id] = min(first[node.id], node.lineno)
    return first


def _is_int_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _shift(expr: ast.expr, delta: int) -> ast.expr:
    """`expr + delta` written the way a person would (folding into int constants)."""
    if _is_int_constant(expr):
        return ast.Constant(expr.value + delta)
    if (isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add | ast.Sub)
            and _is_int_constant(expr.right)):
        signed = expr.right.value if isinstance(expr.op, ast.Add) else -expr.right.value
        total = signed + delta
        if total == 0:
            return copy.deepcopy(expr.left)
        op = ast.Add() if total > 0 else ast.Sub()
        return ast.BinOp(copy.deepcopy(expr.left), op, ast.Constant(abs(total)))
    return ast.BinOp(copy.deepcopy(expr), ast.Add() if delta > 0 else ast.Sub(), ast.Constant(abs(delta)))


def _is_range_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "range" and 1 <= len(node.args) <= 3)


def _sites(tree: ast.AST) -> list[_Site]:
    """Every place an operator applies, in source order."""
    nodes = _nodes(tree)
    parents = _parents(tree)
    range_args = {id(a) for n in nodes if _is_range_call(n) for a in n.args}
    sites: list[_Site] = []
    for i, node in enumerate(nodes):
        parent = parents.get(i)
        if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _ARITH_SWAP:
            sites.append(_Site("arith_swap", i))
        elif isinstance(node, ast.Compare) and type(node.ops[0]) in _COMPARE_SWAP:
            sites.append(_Site("comparison_boundary", i))
        elif isinstance(node, ast.BoolOp):
            sites.append(_Site("and_or_swap", i))
        elif isinstance(node, ast.Break | ast.Continue):
            sites.append(_Site("break_continue", i))
        if _is_int_constant(node) and id(node) not in range_args and not isinstance(
            parent, ast.Subscript | ast.UnaryOp
        ):
            sites += [_Site("constant_off_by_one", i, 0), _Site("constant_off_by_one", i, 1)]
        if _is_range_call(node):
            stop = 1 if len(node.args) >= 2 else 0
            sites += [_Site("range_off_by_one", i, 0), _Site("range_off_by_one", i, 1)]
            if stop:
                sites.append(_Site("range_off_by_one", i, 2))
        if isinstance(node, ast.If | ast.While | ast.IfExp):
            sites.append(_Site("negate_condition", i))
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Expr) and isinstance(
            parent, ast.FunctionDef | ast.For | ast.While | ast.If
        ):
            sites.append(_Site("delete_statement", i))
        if (isinstance(node, ast.Call) and len(node.args) >= 2
                and not any(isinstance(a, ast.Starred) for a in node.args[:2])
                and ast.dump(node.args[0]) != ast.dump(node.args[1])):
            sites.append(_Site("swap_arguments", i))
        if (isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice)
                and (isinstance(node.slice, ast.Name | ast.BinOp) or _is_int_constant(node.slice))):
            sites += [_Site("index_shift", i, 0), _Site("index_shift", i, 1)]
    innermost: dict[int, ast.FunctionDef] = {}
    for func in _function_scopes(tree):  # pre-order: inner functions overwrite outer ones
        for sub in ast.walk(func):
            innermost[id(sub)] = func
    bound_of = {id(f): _assigned_lines(f) for f in _function_scopes(tree)}
    for i, node in enumerate(nodes):
        is_load = isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        if not (is_load or (isinstance(node, ast.Return) and node.value is not None)):
            continue
        func = innermost.get(id(node))
        if func is None:
            continue
        bound = bound_of[id(func)]
        parent = parents.get(i)
        # A swapped-in name as a subscript base or a callee mostly makes a TypeError, not
        # a plausible bug; keep the swaps that read another value of the same kind.
        plausible = not (isinstance(parent, ast.Subscript) and parent.value is node) and not (
            isinstance(parent, ast.Call) and parent.func is node
        )
        if is_load and plausible and node.id in bound and node.id not in _BUILTIN_NAMES:
            others = _other_names(bound, node.id, node.lineno)
            sites += [_Site("wrong_variable", i, v) for v in range(len(others))]
        elif isinstance(node, ast.Return):
            sites.append(_Site("wrong_return", i))
    return sites


def _other_names(bound: dict[str, int], name: str, line: int) -> list[str]:
    """Names other than `name` already bound before `line` (so swapping one in is plausible)."""
    return sorted(n for n, first in bound.items() if n != name and first < line)


def _enclosing_function(tree: ast.AST, target: ast.AST) -> ast.FunctionDef | None:
    # The innermost function: functions come in pre-order, so the last match is innermost.
    found = None
    for func in _function_scopes(tree):
        if any(n is target for n in ast.walk(func)):
            found = func
    return found


def _apply(tree: ast.Module, site: _Site) -> bool:
    """Rewrite the site's node in place; False when it does not apply after all."""
    nodes = _nodes(tree)
    node = nodes[site.node_index]
    op, variant = site.operator, site.variant
    if op == "arith_swap":
        node.op = _ARITH_SWAP[type(node.op)]()
    elif op == "comparison_boundary":
        node.ops[0] = _COMPARE_SWAP[type(node.ops[0])]()
    elif op == "and_or_swap":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif op == "break_continue":
        replacement = ast.Continue() if isinstance(node, ast.Break) else ast.Break()
        return _replace_child(tree, node, ast.copy_location(replacement, node))
    elif op == "constant_off_by_one":
        node.value += 1 if variant == 0 else -1
    elif op == "range_off_by_one":
        # variant 0/1: stop + 1 / stop - 1; variant 2: start + 1.
        pos = (len(node.args) - 1 if len(node.args) == 1 else 1) if variant < 2 else 0
        node.args[pos] = _shift(node.args[pos], 1 if variant in (0, 2) else -1)
    elif op == "negate_condition":
        node.test = ast.UnaryOp(ast.Not(), node.test)
    elif op == "delete_statement":
        return _replace_child(tree, node, ast.copy_location(ast.Pass(), node))
    elif op == "swap_arguments":
        node.args[0], node.args[1] = node.args[1], node.args[0]
    elif op == "index_shift":
        node.slice = _shift(node.slice, 1 if variant == 0 else -1)
    elif op == "wrong_variable":
        func = _enclosing_function(tree, node)
        if func is None:
            return False
        others = _other_names(_assigned_lines(func), node.id, node.lineno)
        if variant >= len(others):
            return False
        node.id = others[variant]
    elif op == "wrong_return":
        func = _enclosing_function(tree, node)
        if func is None:
            return False
        current = node.value.id if isinstance(node.value, ast.Name) else ""
        bound = _assigned_lines(func)
        others = _other_names(bound, current, node.lineno)
        # The plausible slip returns another result-like local: the most recently bound
        # one that is neither a parameter nor a loop variable, if there is one.
        loop_vars = {n.target.id for n in ast.walk(func)
                     if isinstance(n, ast.For) and isinstance(n.target, ast.Name)}
        params = {a.arg for a in func.args.args}
        preferred = [n for n in others if n not in params and n not in loop_vars] or others
        if preferred:
            node.value = ast.Name(max(preferred, key=lambda n: (bound[n], n)), ast.Load())
        elif isinstance(node.value, ast.Constant) and node.value.value is None:
            return False
        else:
            node.value = _shift(node.value, 1)
    else:
        raise ValueError(f"unknown mutation operator {op!r}; known: {', '.join(OPERATORS)}")
    return True


def _replace_child(tree: ast.AST, old: ast.AST, new: ast.AST) -> bool:
    for parent in _nodes(tree):
        for name, value in ast.iter_fields(parent):
            if isinstance(value, list):
                for k, item in enumerate(value):
                    if item is old:
                        value[k] = new
                        return True
            elif value is old:
                setattr(parent, name, new)
                return True
    return False


def _build(original: str, site: _Site) -> Mutant | None:
    tree = ast.parse(original)
    if not _apply(tree, site):
        return None
    mutated = ast.unparse(ast.fix_missing_locations(tree))
    before, after = original.splitlines(), mutated.splitlines()
    if len(before) != len(after):
        return None
    changed = [k for k, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    if len(changed) != 1:  # no textual change, or a rewrite that spilled over lines
        return None
    k = changed[0]
    return Mutant(site.operator, k + 1, before[k].strip(), after[k].strip(), mutated)


OPERATORS: tuple[str, ...] = (
    "arith_swap", "comparison_boundary", "constant_off_by_one", "range_off_by_one",
    "negate_condition", "and_or_swap", "wrong_variable", "delete_statement",
    "swap_arguments", "wrong_return", "index_shift", "break_continue",
)  # fmt: skip


def all_mutants(code: str, operators: tuple[str, ...] = OPERATORS) -> list[Mutant]:
    """Every distinct single-site mutant of `code` (canonicalised first), in source order."""
    original = canonical(code)
    seen: set[str] = set()
    out: list[Mutant] = []
    for site in _sites(ast.parse(original)):
        if site.operator not in operators:
            continue
        mutant = _build(original, site)
        if mutant is not None and mutant.code not in seen:
            seen.add(mutant.code)
            out.append(mutant)
    return out


def sample_mutants(
    code: str, rng: random.Random, k: int, operators: tuple[str, ...] = OPERATORS
) -> list[Mutant]:
    """Up to `k` distinct mutants, spread over operators: an operator is drawn uniformly
    among those that apply, then one of its sites, so frequent node kinds do not crowd
    out rare operators such as break/continue. Only drawn sites are built (cheap)."""
    original = canonical(code)
    by_operator: dict[str, list[_Site]] = {}
    for site in _sites(ast.parse(original)):
        if site.operator in operators:
            by_operator.setdefault(site.operator, []).append(site)
    out: list[Mutant] = []
    seen = {original}
    while by_operator and len(out) < k:
        name = rng.choice(sorted(by_operator))
        pool = by_operator[name]
        mutant = _build(original, pool.pop(rng.randrange(len(pool))))
        if not pool:
            del by_operator[name]
        if mutant is not None and mutant.code not in seen:
            seen.add(mutant.code)
            out.append(mutant)
    return out
