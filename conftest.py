"""Shared test fixtures: a world of two organisations and every role (see alveole/testing.py)."""

pytest_plugins = ["alveole.testing"]
