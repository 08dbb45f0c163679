"""The profile's layers: each function's own time is counted once, in the package it lives in."""

from __future__ import annotations

from types import SimpleNamespace

from bench.profile_requests import layer_of, split_by_layer


def test_functions_are_counted_in_their_package():
    site = "/work/.venv/lib/python3.11/site-packages"
    assert layer_of(f"{site}/django/template/base.py") == "Django templates"
    assert layer_of(f"{site}/django/db/models/sql/compiler.py") == "Django ORM (build, compile, rows to objects)"
    assert layer_of(f"{site}/psycopg/cursor.py") == "database driver and wait"
    assert layer_of("{method 'execute' of 'sqlite3.Cursor' objects}") == "database driver and wait"
    assert layer_of(f"{site}/ninja/operation.py") == "django-ninja and pydantic"
    assert layer_of(f"{site}/django/middleware/common.py") == "Django request, middleware, URLs, auth"
    assert layer_of("/work/main/alveole/feed/selectors.py") == "Alvéole"
    assert layer_of("/usr/lib/python3.11/json/encoder.py") == "Python and other libraries"


def test_the_split_adds_up_to_the_whole():
    stats = SimpleNamespace(
        stats={
            ("/x/django/template/base.py", 1, "render"): (1, 1, 0.6, 0.9, {}),
            ("/x/alveole/feed/views.py", 1, "page"): (1, 1, 0.3, 1.0, {}),
            ("~", 0, "{method 'execute' of 'sqlite3.Cursor' objects}"): (1, 1, 0.1, 0.1, {}),
        }
    )
    split = split_by_layer(stats)
    assert split == {"Django templates": 60.0, "Alvéole": 30.0, "database driver and wait": 10.0}
