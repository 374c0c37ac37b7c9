"""Users' own programs for `--programs FILE_OR_DIR`.

Accepted shapes:
- JSONL in the CRUXEval shape, one object a line: {"code", "input", "output"?, "id"?}.
  `input` is the source text of the call's arguments; the function called is `f` when
  the code defines it, else the last function defined at the top level.
- `.py` files: the function to call is named by a comment `# func: name` (default as
  above) and its arguments by a comment `# input: 1, [2, 3]`. A file without an input
  comment is traced as a whole module.
A directory is read recursively, its `.jsonl` and `.py` files in sorted path order.
Loading is cached per process (pipeline workers load once each).
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from tracer.programs import Program

_INPUT = re.compile(r"^\s*#\s*input:\s?(.*)$", re.MULTILINE)
_FUNC = re.compile(r"^\s*#\s*func:\s*([A-Za-z_]\w*)\s*$", re.MULTILINE)


class UserProgramError(ValueError):
    """A user program file that cannot be read; the message says which file and why."""


@dataclass(frozen=True)
class UserProgram:
    """A loaded user program: `program.func` is None for a whole-module trace."""

    program: Program
    output: str | None  # the expected output's source text, when the file gives one


def _default_func(code: str, where: str) -> str:
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise UserProgramError(f"{where}: not valid Python ({exc.msg}, line {exc.lineno})") from None
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    if not names:
        raise UserProgramError(f"{where}: has an input but defines no function to call")
    return "f" if "f" in names else names[-1]


def _from_jsonl(path: Path) -> list[UserProgram]:
    out = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserProgramError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("code"), str) or not isinstance(row.get("input"), str):
            raise UserProgramError(f'{where}: expected {{"code": str, "input": str, "output"?, "id"?}}')
        unknown = sorted(set(row) - {"code", "input", "output", "id"})
        if unknown:
            raise UserProgramError(f"{where}: unknown key(s) {unknown}; allowed: code, input, output, id")
        func = _default_func(row["code"], where)
        ident = str(row.get("id", f"{path.name}:{lineno}"))
        program = Program(code=row["code"], func=func, args=row["input"], family="user", source=ident)
        output = row.get("output")
        out.append(UserProgram(program, output if isinstance(output, str) else None))
    return out


def _from_py(path: Path) -> UserProgram:
    code = path.read_text(encoding="utf-8")
    where = str(path)
    found = _INPUT.search(code)
    if found is None:
        try:
            ast.parse(code)
        except SyntaxError as exc:
            raise UserProgramError(f"{where}: not valid Python ({exc.msg}, line {exc.lineno})") from None
        program = Program(code=code, func=None, args="", family="user", source=path.name)
        return UserProgram(program, None)
    named = _FUNC.search(code)
    func = named.group(1) if named else _default_func(code, where)
    program = Program(code=code, func=func, args=found.group(1).strip(), family="user", source=path.name)
    return UserProgram(program, None)


@functools.lru_cache(maxsize=8)
def load_user_programs(path: str) -> tuple[UserProgram, ...]:
    """All programs under `path` (a .jsonl or .py file, or a directory), in a fixed order."""
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in (".jsonl", ".py") and p.is_file())
    elif root.is_file():
        files = [root]
    else:
        raise UserProgramError(f"{path}: no such file or directory")
    programs: list[UserProgram] = []
    for file in files:
        if file.suffix == ".jsonl":
            programs.extend(_from_jsonl(file))
        elif file.suffix == ".py":
            programs.append(_from_py(file))
        else:
            raise UserProgramError(f"{file}: expected a .jsonl or .py file")
    if not programs:
        raise UserProgramError(f"{path}: holds no programs (.jsonl lines or .py files)")
    return tuple(programs)
