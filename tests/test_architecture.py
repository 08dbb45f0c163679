"""The shape of the code: the layer contracts hold, they catch a wrong-way import, no import hides in a
function to dodge a cycle, and transports (views, API, the socket endpoint) never write to the database.

The contracts themselves are in pyproject.toml ([tool.importlinter]); docs/architecture.md explains them.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "alveole"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layer_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 kept, 0 broken" in result.stdout


@pytest.fixture
def copy_of_the_tree(tmp_path: Path) -> Path:
    shutil.copytree(
        PACKAGE, tmp_path / "alveole", ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


PLANTED = [
    # The kernel reaching up into a feature, from inside a function (the old way of hiding a cycle).
    ("core/jobs.py", "\n\ndef _planted() -> None:\n    from alveole.feed import actions  # noqa\n", "Apps in layers"),
    # A feature calling the one above it directly instead of sending its signal.
    ("feed/actions.py", "\nfrom alveole.notifications import jobs as _planted  # noqa\n", "Apps in layers"),
    # One feature's views importing another's.
    ("projects/views.py", "\nfrom alveole.decisions import views as _planted  # noqa\n", "views"),
    # A cycle between two modules of one app.
    ("feed/selectors.py", "\nfrom alveole.feed import views as _planted  # noqa\n", "No import cycle"),
]


@pytest.mark.parametrize(("path", "line", "contract"), PLANTED, ids=[p[0] for p in PLANTED])
def test_a_planted_wrong_way_import_breaks_a_contract(
    copy_of_the_tree: Path, path: str, line: str, contract: str
) -> None:
    target = copy_of_the_tree / "alveole" / path
    target.write_text(target.read_text() + line)
    result = _lint_imports(copy_of_the_tree)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout[-3000:]


def _source_files() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def _function_level_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and (inner.level > 0 or (inner.module or "").startswith("alveole")):
                found.append((inner.lineno, node.name))
            elif isinstance(inner, ast.Import) and any(a.name.startswith("alveole") for a in inner.names):
                found.append((inner.lineno, node.name))
    return found


def test_no_import_of_our_own_code_hides_inside_a_function() -> None:
    """Every dependency between our modules is at the top of the file, where the contracts see it and a
    reader finds it. Only AppConfig.ready() may import (receivers need the app registry ready)."""
    hidden = []
    for path in _source_files():
        for lineno, function in _function_level_imports(ast.parse(path.read_text())):
            if path.name == "apps.py" and function == "ready":
                continue
            hidden.append(f"{path.relative_to(ROOT)}:{lineno} in {function}()")
    assert hidden == []


def test_the_import_check_sees_a_function_level_import() -> None:
    tree = ast.parse("def f():\n    from alveole.feed import actions\n    from . import x\n")
    assert [line for line, _ in _function_level_imports(tree)] == [2, 3]


# Transports parse, look up, call an action and serialize: the database is written by actions (and jobs).
TRANSPORTS = [
    "*/views.py",
    "*/*_views.py",
    "*/api.py",
    "*/pages.py",
    "*/downloads.py",
    "*/calendar.py",
    "realtime/*.py",
    "shell/home.py",
    "shell/errors.py",
    "shell/context_processors.py",
]
ALWAYS_WRITES = {"save", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
QUERYSET_WRITES = {"create", "update", "delete"}


def _chain_has_queryset(node: ast.AST) -> bool:
    """`Model.objects….create()` or `qs.filter(…).delete()`: a manager or queryset call on the way."""
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "filter", "exclude", "all", "select_related"}:
            return True
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return False


def _writes(tree: ast.AST) -> list[int]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in ALWAYS_WRITES or (name in QUERYSET_WRITES and _chain_has_queryset(node.func.value)):
                found.append(node.lineno)
    return found


def test_transports_never_write_to_the_database() -> None:
    paths = {p for pattern in TRANSPORTS for p in PACKAGE.glob(pattern)}
    assert len(paths) > 20
    writes = [f"{p.relative_to(ROOT)}:{line}" for p in sorted(paths) for line in _writes(ast.parse(p.read_text()))]
    assert writes == []


def test_the_write_check_sees_a_write() -> None:
    tree = ast.parse(
        "post.save()\nPost.objects.filter(pk=1).delete()\nPost.objects.create(x=1)\n"
        "context.update({})\nrouter.delete('/x')\n"
    )
    assert _writes(tree) == [1, 2, 3]
