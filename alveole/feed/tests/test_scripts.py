"""The page scripts' shape (issue 11): one module talks to the server, the modules form no cycle,
and no address is typed into JavaScript (they come from the server: feed/_client.html)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static" / "alveole"
IMPORT = re.compile(r"""^\s*import\s+(?:[^"';]+?\s+from\s+)?["']\./([\w.-]+)["']""", re.M)


def _scripts() -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(STATIC.glob("*.js"))}


def test_the_modules_import_each_other_without_a_cycle() -> None:
    graph = {name: IMPORT.findall(text) for name, text in _scripts().items()}
    assert graph["app.js"], "app.js is the entry point and loads the others"
    for name, imports in graph.items():
        for target in imports:
            assert target in graph, f"{name} imports a missing module {target}"

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "import cycle: " + " → ".join((*path, name))
        for target in graph[name]:
            visit(target, (*path, name))

    for name in graph:
        visit(name, ())


def test_only_request_js_talks_to_the_server() -> None:
    for name, text in _scripts().items():
        if name == "request.js":
            assert "fetch(" in text and "X-CSRFToken" in text
            continue
        assert "fetch(" not in text, f"{name} calls fetch itself: use request.js"
        assert "X-CSRFToken" not in text and "csrftoken" not in text, f"{name} handles the CSRF token itself"


def test_no_address_is_typed_into_the_scripts() -> None:
    # A string or template literal starting with one of the site's paths, e.g. "/api/v1/reads", `/posts/${id}/`.
    typed = re.compile(r"""["'`]/(?:api|posts|topics|comments|notifications|reactions|spaces|people|files)\b""")
    for name, text in _scripts().items():
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
        found = typed.search(code)
        assert not found, f"{name} has a hard-coded address: {found and found.group(0)}"


def test_the_reactions_bar_is_drawn_by_the_server_only() -> None:
    live = _scripts()["live.js"]
    # The live layer clones the partial's <template>; it keeps no order or markup of its own.
    assert "template[data-reaction-count]" in live and "data.order" in live
    assert "EMOJI_ORDER" not in live and 'createElement("a")' not in live
