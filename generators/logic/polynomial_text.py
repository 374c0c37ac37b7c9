"""Plain text of small integer polynomials in n, in the grammar the answer parser reads."""

from __future__ import annotations


def poly_text(coeffs: dict[int, int], var: str = "n") -> str:
    """`{2: 3, 0: -1}` -> `3*n^2 - 1`; terms by falling degree, explicit `*` and `^`."""
    parts: list[str] = []
    for deg in sorted(coeffs, reverse=True):
        c = coeffs[deg]
        if c == 0:
            continue
        mag = abs(c)
        body = var if deg == 1 else f"{var}^{deg}" if deg > 1 else ""
        term = (f"{mag}*{body}" if mag != 1 else body) if body else str(mag)
        sign = "-" if c < 0 else "+"
        parts.append(("-" + term) if not parts and sign == "-" else term if not parts else f" {sign} {term}")
    return "".join(parts) or "0"
