"""sympy's `str` of an expression, the same text at a fraction of the cost.

Printing was a third of the sympy tasks' generation time, most of it in ordering the terms
of sums (`Expr.as_ordered_terms` recomputes every term's coefficient with `complex()` and
its monomial on each call) and in re-printing the same small subexpressions (`x^2`,
`log(x - 1)`, `sin(2*x)`) record after record. `sstr` keeps sympy's printer and sympy's
ordering key; it only remembers, per term, the parts that key is computed from, and, per
subexpression, its printed text. Output is byte-identical to `str(expr)`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sympy import Add, Basic, Expr, Mul, Number, NumberSymbol, S
from sympy.core.exprtools import decompose_power
from sympy.core.sorting import default_sort_key
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

_MEMO_LIMIT = 20000
_MEMO: dict[Any, str] = {}  # printed subexpressions
_LEX_KEY, _LEX_REVERSE = Expr._parse_order(None)  # sympy's own key for the default order


@lru_cache(maxsize=8192)
def _term_parts(term: Any) -> tuple[tuple[float, float], tuple[tuple[Any, Any], ...], tuple]:
    """(coefficient as (re, im), commutative (base, exp) pairs, non-commutative factors) of one
    term of a sum: what `Expr.as_terms` computes for it."""
    coeff, rest = term.as_coeff_Mul()
    coeff = complex(coeff)
    cpart: dict[Any, Any] = {}
    ncpart = []
    if rest is not S.One:
        for factor in Mul.make_args(rest):
            if factor.is_number:
                try:
                    coeff *= complex(factor)
                except (TypeError, ValueError):
                    pass
                else:
                    continue
            if factor.is_commutative:
                base, exp = decompose_power(factor)
                cpart[base] = exp
            else:
                ncpart.append(factor)
    return (coeff.real, coeff.imag), tuple(cpart.items()), tuple(ncpart)


@lru_cache(maxsize=8192)
def _gen_key(gen: Any) -> Any:
    return default_sort_key(gen)


_precedence = lru_cache(maxsize=8192)(precedence)


def _is_special_pair(add_args: list[Any]) -> bool:
    """`Expr.as_ordered_terms`' special case: a positive number plus a negative multiple
    (`1 - x` keeps that order)."""
    key = lambda x: not isinstance(x, (Number, NumberSymbol))  # noqa: E731
    if len(add_args) == 2 and isinstance(add_args[0], (Number, NumberSymbol)) and isinstance(add_args[1], Mul):
        mul_args = sorted(Mul.make_args(add_args[1]), key=key)
        return (len(mul_args) == 2 and isinstance(mul_args[0], Number)
                and bool(add_args[0].is_positive) and bool(mul_args[0].is_negative))
    return False


def ordered_terms(expr: Any) -> list[Any]:
    """`expr.as_ordered_terms()` for a sum, from cached per-term parts."""
    args = list(Add.make_args(expr))
    add_args = sorted(args, key=lambda x: not isinstance(x, (Number, NumberSymbol)))
    if _is_special_pair(add_args):
        return add_args
    parts = [(t, _term_parts(t)) for t in args]
    gens = sorted({base for _, (_, cpart, _) in parts for base, _ in cpart}, key=_gen_key)
    index = {g: i for i, g in enumerate(gens)}
    terms = []
    for t, (coeff, cpart, ncpart) in parts:
        monom = [0] * len(gens)
        for base, exp in cpart:
            monom[index[base]] = exp
        terms.append((t, (coeff, tuple(monom), ncpart)))
    if any(t.is_Order for t, _ in terms):  # series remainders: leave them to sympy
        return expr.as_ordered_terms()
    return [t for t, _ in sorted(terms, key=_LEX_KEY, reverse=_LEX_REVERSE)]


class _Printer(StrPrinter):
    """StrPrinter with default settings, remembering printed sums, products, powers and
    function values. Their text depends only on the node: the printer's one piece of
    context, `_print_level`, only changes how a Float prints at the top level."""

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if kwargs or not isinstance(expr, Basic) or not (expr.is_Add or expr.is_Mul or expr.is_Pow
                                                          or expr.is_Function):
            return super()._print(expr, **kwargs)
        text = _MEMO.get(expr)
        if text is None:
            text = super()._print(expr)
            if len(_MEMO) >= _MEMO_LIMIT:
                _MEMO.clear()
            _MEMO[expr] = text
        return text

    def parenthesize(self, item: Any, level: int, strict: bool = False) -> str:
        p = _precedence(item) if isinstance(item, Basic) else precedence(item)
        if p < level or (not strict and p <= level):
            return f"({self._print(item)})"
        return self._print(item)

    def _as_ordered_terms(self, expr: Any, order: Any = None) -> list[Any]:
        if (order or self.order) is None and expr.is_Add:
            return ordered_terms(expr)
        return super()._as_ordered_terms(expr, order=order)


_PRINTER = _Printer()


@lru_cache(maxsize=8192)
def sstr(expr: Any) -> str:
    """`str(expr)` for a sympy object, the same text, computed faster."""
    if not isinstance(expr, Basic):
        return str(expr)
    return _PRINTER.doprint(expr)
