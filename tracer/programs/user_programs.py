"""Users' own programs for `--programs FILE_OR_DIR`.

Accepted shapes:
- JSONL in the CRUXEval shape, one object a line: {"code", "input", "output"?, "id"?}.
  `input` is the source text of the call's arguments; the function called is `f` when
  the code defines it, else the last function defined at the top level. `output`, when
  given, is the source text of the value the call must return: a run whose result
  differs is dropped as `output_mismatch` (see `check_output`).
- `.py` files (UTF-8, with or without a byte-order mark): the function to call is named
  by a comment `# func: name` (default as above) and its arguments by a comment
  `# input: 1, [2, 3]`. A file without an input comment is traced as a whole module.
A directory is read recursively, its `.jsonl` and `.py` files in sorted path order.

Everything that can be known without running a program is checked on loading, and a
bad program fails the whole load with one line naming its file: an input that is not an
argument list, a `# func:` that names no top-level function, arguments that do not fit
the function's parameters, an empty file, a duplicate id.

Each program has a label (its JSONL id, else `FILE:LINE`, or its .py path under the
directory) and a content hash, which records carry in their provenance and id, so that
an edited program never passes for the old one. Loading is cached per process
(pipeline workers load once each); `load_user_programs.cache_clear()` forgets it.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reasoning.task import Dropped
from tracer.programs import Program

_INPUT = re.compile(r"^\s*#\s*input:[ \t]?(.*)$", re.MULTILINE)
_FUNC = re.compile(r"^\s*#\s*func:\s*(\S*)\s*$", re.MULTILINE)
_NAME = re.compile(r"[A-Za-z_]\w*\Z")
OUTPUT_MISMATCH = "output_mismatch"  # the Dropped reason of a run that contradicts "output"


class UserProgramError(ValueError):
    """A user program file that cannot be read; the message says which file and why."""


@dataclass(frozen=True)
class UserProgram:
    """A loaded user program: `program.func` is None for a whole-module trace.

    `program.source` is its label; `sha256` is the first 16 hex digits of the hash of
    everything that decides its records (code, function, arguments, expected output).
    """

    program: Program
    output: str | None  # the expected output's source text, when the file gives one
    sha256: str

    @property
    def label(self) -> str:
        return self.program.source


def _hash(code: str, func: str | None, args: str, output: str | None) -> str:
    key = json.dumps({"code": code, "func": func, "args": args, "output": output}, sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _parse(code: str, where: str) -> ast.Module:
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise UserProgramError(f"{where}: not valid Python ({exc.msg}, line {exc.lineno})") from None
    if not tree.body:
        raise UserProgramError(f"{where}: holds no code to trace")
    return tree


def _signature(node: ast.FunctionDef) -> inspect.Signature:
    """The parameters of a `def`, for binding a call's arguments without running it."""
    a = node.args
    positional = [*a.posonlyargs, *a.args]
    first_default = len(positional) - len(a.defaults)
    params = []
    for k, arg in enumerate(positional):
        kind = (inspect.Parameter.POSITIONAL_ONLY if k < len(a.posonlyargs)
                else inspect.Parameter.POSITIONAL_OR_KEYWORD)  # fmt: skip
        default = None if k >= first_default else inspect.Parameter.empty
        params.append(inspect.Parameter(arg.arg, kind, default=default))
    if a.vararg:
        params.append(inspect.Parameter(a.vararg.arg, inspect.Parameter.VAR_POSITIONAL))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        params.append(inspect.Parameter(arg.arg, inspect.Parameter.KEYWORD_ONLY,
                                        default=inspect.Parameter.empty if default is None else None))
    if a.kwarg:
        params.append(inspect.Parameter(a.kwarg.arg, inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(params)


def _check_call(tree: ast.Module, func: str, args: str, where: str) -> None:
    """Refuse arguments that are not an argument list, or do not fit `func`'s parameters."""
    try:
        call = ast.parse(f"_({args}\n)", mode="eval").body
    except SyntaxError:
        call = None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_"):
        raise UserProgramError(f"{where}: input {args!r} is not a valid argument list")
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    bound = set(defs)
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
    if func not in bound:
        known = ", ".join(sorted(defs)) or "none"
        raise UserProgramError(f"{where}: no function {func!r} defined at the top level "
                               f"(functions defined: {known})")
    node = defs.get(func)
    starred = any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords)
    if not isinstance(node, ast.FunctionDef) or node.decorator_list or starred:
        return  # only a plain def called with plain arguments can be checked unrun
    try:
        _signature(node).bind(*call.args, **{k.arg: k.value for k in call.keywords if k.arg})
    except TypeError as exc:
        raise UserProgramError(f"{where}: input {args!r} does not fit {func}"
                               f"{_signature(node)}: {exc}") from None


def _default_func(tree: ast.Module, where: str) -> str:
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    if not names:
        raise UserProgramError(f"{where}: has an input but defines no function to call")
    return "f" if "f" in names else names[-1]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # python3 runs a file with a BOM: so do we
    except UnicodeDecodeError as exc:
        raise UserProgramError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _from_jsonl(path: Path, label: str) -> list[UserProgram]:
    out = []
    for lineno, line in enumerate(_read(path).splitlines(), 1):
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
        output = row.get("output")
        if output is not None and not isinstance(output, str):
            raise UserProgramError(f'{where}: "output" must be the source text of a value, '
                                   f"e.g. \"[1, 2]\" (a JSON string), got {output!r}")
        if "id" in row and not isinstance(row["id"], str | int):
            raise UserProgramError(f'{where}: "id" must be a string or an integer')
        tree = _parse(row["code"], where)
        func = _default_func(tree, where)
        _check_call(tree, func, row["input"], where)
        ident = str(row["id"]) if "id" in row else f"{label}:{lineno}"
        program = Program(code=row["code"], func=func, args=row["input"], family="user", source=ident)
        out.append(UserProgram(program, output, _hash(row["code"], func, row["input"], output)))
    return out


def _from_py(path: Path, label: str) -> UserProgram:
    code = _read(path)
    where = str(path)
    tree = _parse(code, where)
    found = _INPUT.search(code)
    named = _FUNC.search(code)
    if named and not _NAME.match(named.group(1)):
        raise UserProgramError(f"{where}: `# func: {named.group(1)}` is not a function name")
    if found is None:
        if named:
            raise UserProgramError(f"{where}: has `# func:` but no `# input:` line (write "
                                   "`# input:` with nothing after it to call without arguments)")
        program = Program(code=code, func=None, args="", family="user", source=label)
        return UserProgram(program, None, _hash(code, None, "", None))
    func = named.group(1) if named else _default_func(tree, where)
    args = found.group(1).strip()
    _check_call(tree, func, args, where)
    program = Program(code=code, func=func, args=args, family="user", source=label)
    return UserProgram(program, None, _hash(code, func, args, None))


@functools.lru_cache(maxsize=8)
def load_user_programs(path: str) -> tuple[UserProgram, ...]:
    """All programs under `path` (a .jsonl or .py file, or a directory), in a fixed order.

    Raises UserProgramError (one line, naming the file) for anything that cannot be traced.
    """
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in (".jsonl", ".py") and p.is_file())
    elif root.is_file():
        files = [root]
    else:
        raise UserProgramError(f"{path}: no such file or directory")
    programs: list[UserProgram] = []
    for file in files:
        label = file.relative_to(root).as_posix() if root.is_dir() else file.name
        if file.suffix == ".jsonl":
            programs.extend(_from_jsonl(file, label))
        elif file.suffix == ".py":
            programs.append(_from_py(file, label))
        else:
            raise UserProgramError(f"{file}: expected a .jsonl or .py file")
    if not programs:
        raise UserProgramError(f"{path}: holds no programs (.jsonl lines or .py files)")
    seen: dict[str, int] = {}
    for k, p in enumerate(programs):
        if p.label in seen:
            raise UserProgramError(f"{path}: two programs share the id {p.label!r} "
                                   f"(programs {seen[p.label] + 1} and {k + 1}); ids must be unique")
        seen[p.label] = k
    return tuple(programs)


def programs_sha256(programs: tuple[UserProgram, ...]) -> str:
    """One hash of a whole program list (labels, contents and order): a run's fingerprint."""
    key = "\n".join(f"{p.label}\t{p.sha256}" for p in programs)
    return hashlib.sha256(key.encode()).hexdigest()


def check_output(user: UserProgram, trace: dict[str, Any]) -> None:
    """Raise Dropped(OUTPUT_MISMATCH) when the file's expected output is not what the run
    gave; the detail says both. Nothing to check when the file gives no output, or when a
    budget ended the run before its end (a task that asks only about its first steps)."""
    from generators.code.value_answers import compare_repr

    if user.output is None or trace.get("status") not in ("ok", "exception"):
        return  # no output to check, or a run a budget ended: its result is unknown
    if trace.get("status") == "exception":
        got = f"raises {trace.get('exception')}"
    elif trace.get("return_repr") is None:
        got = "returns nothing"
    else:
        if compare_repr(user.output, trace["return_repr"])[0]:
            return
        got = f"returns {trace['return_repr']}"
    raise Dropped(OUTPUT_MISMATCH, detail=f"expected {user.output}, CPython {got}")
