"""The import contract of pyproject.toml (run by `make test` as `lint-imports`) refuses a
wrong-way import: checked on a miniature of the project's packages, with the real contract."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def miniature(tmp_path: Path, imports: dict[str, str]) -> Path:
    """The five top-level packages, each importing what `imports` says, and the contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [contract] = config["contracts"]
    layers = ", ".join(f'"{layer}"' for layer in contract["layers"])
    roots = ", ".join(f'"{name}"' for name in config["root_packages"])
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.importlinter]\nroot_packages = [{roots}]\n\n"
        f'[[tool.importlinter.contracts]]\nid = "layers"\nname = "layers"\ntype = "layers"\n'
        f"layers = [{layers}]\n"
    )
    for name in config["root_packages"]:
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "code.py").write_text(imports.get(name, ""))
    return tmp_path


def lint(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=folder, capture_output=True, text=True,
        env={"PYTHONPATH": str(folder), "PATH": str(LINT_IMPORTS.parent)}, timeout=120,
    )  # fmt: skip


def test_the_project_keeps_the_import_contract():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout


def test_imports_the_right_way_keep_the_contract(tmp_path):
    folder = miniature(tmp_path, {
        "meetings": "import personas.code\nimport sla.code\nimport leads.code\n",
        "personas": "import leads.code\nimport smarketing.code\n",
        "sla": "import leads.code\n",
        "leads": "import smarketing.code\n",
    })  # fmt: skip
    result = lint(folder)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("importer", "imported"),
    [("smarketing", "leads"), ("leads", "sla"), ("sla", "personas"), ("personas", "meetings")],
)
def test_a_wrong_way_import_breaks_the_contract(tmp_path, importer, imported):
    folder = miniature(tmp_path, {importer: f"import {imported}.code\n"})
    result = lint(folder)
    assert result.returncode != 0
    assert f"{importer} is not allowed to import {imported}" in result.stdout
