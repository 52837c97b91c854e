"""Let mutmut mutate the services that run under `@transaction.atomic`.

mutmut skips every function with a decorator (it replaces functions by trampolines, which a
decorator would wrap). The services are written the house way, `@transaction.atomic` over
the function; in the scratch copy `make mutants` works on, this rewrites each of them as the
same function with its body inside `with transaction.atomic():`. Django documents both forms
as equivalent, so every test sees the same behaviour and mutmut sees an undecorated body.

Run in the copy only: `python -m tests.mutation.atomic_unwrap` rewrites the files under
`[tool.mutmut] source_paths` and refuses to run in a git checkout.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import libcst as cst


def _is_atomic(decorator: cst.Decorator) -> bool:
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    return (
        isinstance(expr, cst.Attribute)
        and expr.attr.value == "atomic"
        and isinstance(expr.value, cst.Name)
        and expr.value.value == "transaction"
    )


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


class _Unwrap(cst.CSTTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.unwrapped: list[str] = []

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        atomic = [d for d in updated.decorators if _is_atomic(d)]
        if not atomic:
            return updated
        self.unwrapped.append(updated.name.value)
        expr = atomic[0].decorator
        call = expr if isinstance(expr, cst.Call) else cst.Call(func=expr)
        body = list(updated.body.body)
        docstring = body[:1] if body and _is_docstring(body[0]) else []
        block = cst.With(
            items=[cst.WithItem(item=call)],
            body=cst.IndentedBlock(body=body[len(docstring) :]),
        )
        return updated.with_changes(
            decorators=[d for d in updated.decorators if not _is_atomic(d)],
            body=updated.body.with_changes(body=[*docstring, block]),
        )


def unwrap_source(code: str) -> tuple[str, list[str]]:
    """The module's code with its atomic functions unwrapped, and their names."""
    unwrap = _Unwrap()
    new = cst.parse_module(code).visit(unwrap)
    return new.code, unwrap.unwrapped


def unwrap_tree(root: Path, source_paths: list[str]) -> dict[Path, list[str]]:
    """Rewrite every module under `source_paths` in place; returns what changed, by file."""
    changed: dict[Path, list[str]] = {}
    for source in source_paths:
        path = root / source
        for file in sorted([path] if path.is_file() else path.rglob("*.py")):
            code = file.read_text()
            if "transaction.atomic" not in code:
                continue
            new, names = unwrap_source(code)
            if names:
                file.write_text(new)
                changed[file.relative_to(root)] = names
    return changed


def main(root: Path) -> int:
    if (root / ".git").exists():
        print("Refusing to rewrite a git checkout: run this in the scratch copy.", file=sys.stderr)
        return 2
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["mutmut"]
    changed = unwrap_tree(root, config["source_paths"])
    print(f"{sum(map(len, changed.values()))} atomic services unwrapped in {len(changed)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path.cwd()))
