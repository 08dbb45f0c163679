"""The installable app: the manifest, the service worker, and which pages it may keep offline."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from alveole.feed import actions
from alveole.shell import installable
from alveole.spaces.models import Label

pytestmark = pytest.mark.django_db


def test_manifest_is_served_as_a_web_app_manifest(client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Alvéole" and data["start_url"] == "/" and data["display"] == "standalone"
    assert data["theme_color"] == "#d98e04" and data["background_color"] == "#f6f5f2"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512", "any"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in data["icons"])
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_manifest_speaks_the_visitors_language(client) -> None:
    data = json.loads(client.get("/manifest.webmanifest", headers={"Accept-Language": "fr"}).content)
    assert data["lang"] == "fr"


def test_service_worker_is_served_from_the_root(client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert 'importScripts("/static/alveole/sw-push.js")' in script
    assert "/static/alveole/app.css" in script and "/static/alveole/outbox.js" in script
    assert installable.shell_version() in script
    assert finders.find("alveole/sw-push.js"), "the push feature's handlers"
    assert client.post("/sw.js").status_code == 405


def test_every_page_links_the_manifest_and_registers_the_worker(world, client_for) -> None:
    for client, url in ((client_for(world.member), "/"), (client_for(None), reverse("account_login"))):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page
        assert 'data-service-worker="/sw.js"' in page and 'role="status"' in page


def test_feed_pages_may_be_kept_offline_unless_confidential(world, client_for) -> None:
    client = client_for(world.member)
    actions.create_post(world.member, space=world.open_space, body="Lunch at noon")
    assert client.get("/")["X-Alveole-Offline"] == "keep"
    assert client.get(reverse("space_detail", args=[world.open_space.pk]))["X-Alveole-Offline"] == "keep"
    secret = Label.objects.get(organisation=world.org, restricted=True)
    actions.create_post(world.member, space=world.open_space, body="Merger plans", label=secret)
    assert "X-Alveole-Offline" not in client.get("/")
    assert "X-Alveole-Offline" not in client.get(reverse("space_detail", args=[world.open_space.pk]))
    # Other pages are never kept.
    assert "X-Alveole-Offline" not in client.get(reverse("people"))


def test_the_new_post_page_works_offline_unless_it_names_a_confidential_space(world, client_for) -> None:
    client = client_for(world.member)
    assert client.get(reverse("post_create"))["X-Alveole-Offline"] == "keep"
    world.private_space.label = Label.objects.get(organisation=world.org, restricted=True)
    world.private_space.save()
    assert "X-Alveole-Offline" not in client.get(reverse("post_create"))
