"""Every audited action has a human label: the audit page never shows a stored action name."""

from __future__ import annotations

import ast
from pathlib import Path

from alveole.core.audit import labels

SOURCE = Path(__file__).resolve().parents[2]


def _names(node: ast.expr) -> list[str] | None:
    """The action names an expression can take: a string, or either branch of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _names(node.body), _names(node.orelse)
        return body + orelse if body is not None and orelse is not None else None
    return None


def audited_actions() -> dict[str, str]:
    """Every `audit.record(<action>, …)` in the code, found by reading it (action → file)."""
    found: dict[str, str] = {}
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
                continue
            if node.func.attr != "record" or getattr(node.func.value, "id", None) != "audit":
                continue
            names = _names(node.args[0])
            assert names is not None, f"{path}: audit.record needs a literal action name to be labelled"
            for name in names:
                found.setdefault(name, str(path.relative_to(SOURCE)))
    return found


def test_every_audited_action_has_a_label() -> None:
    actions = audited_actions()
    assert len(actions) > 30  # the reader found them, not nothing
    missing = {name: where for name, where in actions.items() if name not in labels()}
    assert missing == {}
