"""The home page, error pages, the layout and the date helper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from alveole.core.templatetags.alveole import relative_text


def test_home_requires_sign_in(client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_home_welcomes_with_spaces_and_first_steps_for_admins(world, client_for) -> None:
    response = client_for(world.owner).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your feed will appear here" in html
    assert "First steps" in html
    assert reverse("org_settings") in html and reverse("org_invitations") in html
    assert reverse("space_detail", args=[world.open_space.pk]) in html
    assert reverse("org_admin") in html  # the Admin link in the nav


def test_home_for_a_guest_shows_only_their_spaces_and_no_admin(world, client_for) -> None:
    html = client_for(world.guest).get(reverse("home")).content.decode()
    assert world.private_space.name in html
    assert reverse("space_detail", args=[world.open_space.pk]) not in html
    # A guest's first steps are their own, not the admin's.
    assert "Open your space" in html and "Invite colleagues" not in html
    assert reverse("org_admin") not in html
    assert reverse("space_create") not in html


def test_pages_have_no_inline_scripts_or_styles(world, client_for) -> None:
    html = client_for(world.owner).get(reverse("home")).content.decode()
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert " onclick=" not in html
    assert '<script type="module" src="/static/alveole/app.js">' in html
    assert 'class="skip-link" href="#main"' in html


def test_the_stylesheet_and_script_are_found_by_staticfiles() -> None:
    assert finders.find("alveole/app.css"), "alveole/static is not in STATICFILES_DIRS"
    assert finders.find("alveole/app.js")


def test_unknown_page_is_a_friendly_404(world, client_for) -> None:
    response = client_for(world.member).get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find this page" in response.content.decode()


def test_server_error_page_renders_without_the_database() -> None:
    from alveole.shell.errors import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=5), "5 min ago"),
        (timedelta(hours=2), "2 h ago"),
        (timedelta(days=3), "3 d ago"),
        (-timedelta(days=7), "in 7 d"),
    ],
)
def test_relative_text(delta: timedelta, expected: str) -> None:
    now = timezone.now()
    assert relative_text(now - delta, now, now) == expected


def test_reltime_shows_exact_time_in_the_viewers_time_zone(world) -> None:
    world.member.time_zone = "Asia/Tokyo"
    request = RequestFactory().get("/")
    request.user = world.member
    value = timezone.now() - timedelta(days=30)
    html = Template("{% load alveole %}{% reltime value %}").render(Context({"request": request, "value": value}))
    assert html.startswith("<time datetime=")
    assert "JST" in html
