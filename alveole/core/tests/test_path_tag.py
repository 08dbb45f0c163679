"""{% path %}: the card's one-id routes, reversed once and then joined, give what {% url %} gives."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

ROUTES = ["post", "post_edit", "post_react", "comment_edit", "person", "space_detail"]


def render(text: str, **values: object) -> str:
    return Template("{% load alveole %}" + text).render(Context(values))


@pytest.mark.parametrize("name", ROUTES)
def test_path_gives_the_same_url_as_reverse(name):
    for pk in (1, 42, 9_876_543_210, 123_456_789_012):
        assert render("{% path name pk %}", name=name, pk=pk) == reverse(name, args=[pk])


def test_path_follows_the_script_prefix():
    try:
        set_script_prefix("/alveole/")
        served_under = reverse("post", args=[7])
        assert served_under.startswith("/alveole/") and render("{% path 'post' 7 %}") == served_under
    finally:
        set_script_prefix("/")
    assert render("{% path 'post' 7 %}") == reverse("post", args=[7]) == served_under.removeprefix("/alveole")


def test_a_route_without_an_id_is_refused_as_url_would():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        render("{% path 'home' 3 %}")
