"""The rewrite that lets mutmut mutate the atomic services keeps what they do."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest
from django.db import connection

from tests.mutation.atomic_unwrap import main, unwrap_source, unwrap_tree

ROOT = Path(__file__).resolve().parents[2]

SERVICE = textwrap.dedent(
    '''
    from django.db import connection, transaction


    @transaction.atomic
    def in_block(*, value):
        """Says whether it runs inside a transaction."""
        return value, connection.in_atomic_block


    @transaction.atomic(savepoint=False)
    def without_savepoint():
        return connection.in_atomic_block


    @staticmethod
    def left_alone():
        return connection.in_atomic_block


    @transaction.non_atomic_requests
    def view(request):
        return request
    '''
)


def test_the_atomic_functions_lose_the_decorator_and_keep_their_docstring_first():
    code, names = unwrap_source(SERVICE)
    assert names == ["in_block", "without_savepoint"]
    assert "@transaction.atomic" not in code
    assert (
        '    """Says whether it runs inside a transaction."""\n    with transaction.atomic():\n'
        in code
    )
    assert "    with transaction.atomic(savepoint=False):\n        return connection" in code
    assert "@staticmethod\ndef left_alone():\n    return connection.in_atomic_block" in code
    assert "@transaction.non_atomic_requests\ndef view(request):\n    return request" in code


@pytest.mark.django_db(transaction=True)
def test_an_unwrapped_service_still_runs_in_one_transaction():
    code, _ = unwrap_source(SERVICE)
    module: dict = {}
    exec(compile(code, "service.py", "exec"), module)
    assert connection.in_atomic_block is False
    assert module["in_block"](value=7) == (7, True)
    assert module["without_savepoint"]() is True
    assert module["in_block"].__doc__ == "Says whether it runs inside a transaction."


def test_every_atomic_service_of_the_mutated_modules_is_unwrapped():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    decorated = unwrapped = 0
    for source in config["source_paths"]:
        path = ROOT / source
        for file in [path] if path.is_file() else path.rglob("*.py"):
            code = file.read_text()
            decorated += code.count("@transaction.atomic\n")
            new, names = unwrap_source(code)
            compile(new, str(file), "exec")
            unwrapped += len(names)
    assert decorated > 30 and unwrapped == decorated


def test_the_tree_is_rewritten_in_place_and_only_where_needed(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "services.py").write_text(SERVICE)
    (tmp_path / "app" / "plain.py").write_text("def f():\n    return 1\n")
    changed = unwrap_tree(tmp_path, ["app"])
    assert changed == {Path("app/services.py"): ["in_block", "without_savepoint"]}
    assert "@transaction.atomic\n" not in (tmp_path / "app" / "services.py").read_text()
    assert (tmp_path / "app" / "plain.py").read_text() == "def f():\n    return 1\n"


def test_it_refuses_to_rewrite_a_git_checkout(tmp_path, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / "services.py").write_text(SERVICE)
    (tmp_path / "pyproject.toml").write_text('[tool.mutmut]\nsource_paths = ["services.py"]\n')
    assert main(tmp_path) == 2
    assert (tmp_path / "services.py").read_text() == SERVICE
    assert "Refusing to rewrite a git checkout" in capsys.readouterr().err
    (tmp_path / ".git").rmdir()
    assert main(tmp_path) == 0
    assert capsys.readouterr().out == "2 atomic services unwrapped in 1 files\n"
