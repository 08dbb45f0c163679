"""Confidentiality labels in the pages: space creation and settings, the composer, the cards, the
organisation's settings and the owners' labels page."""

from __future__ import annotations

import pytest

from alveole.core.models import AuditEvent
from alveole.feed import actions as feed_actions
from alveole.feed.models import Post
from alveole.spaces import actions
from alveole.spaces.models import Label, Space

pytestmark = pytest.mark.django_db


def label(world, name: str) -> Label:
    return Label.objects.get(organisation=world.org, name=name)


def test_a_space_is_created_with_a_label_and_shows_it(world, client_for):
    client = client_for(world.owner)
    form = client.get("/spaces/new/").content.decode()
    assert 'name="label"' in form and "Confidential" in form
    response = client.post(
        "/spaces/new/",
        {"name": "Board", "kind": "team", "visibility": "private", "label": label(world, "Confidential").pk},
    )
    assert response.status_code == 302
    space = Space.objects.get(name="Board")
    assert space.label == label(world, "Confidential")
    page = client.get(f"/spaces/{space.pk}/").content.decode()
    assert "badge-confidential" in page
    # An internal space's header names its label too, without a badge on every card.
    page = client.get(f"/spaces/{world.open_space.pk}/").content.decode()
    assert "Internal" in page


def test_confidential_labels_are_offered_only_to_those_allowed(world, client_for):
    world.org.confidential_space_creators = "admins"
    world.org.space_creators = "members"
    world.org.save()
    form = client_for(world.member).get("/spaces/new/").content.decode()
    assert f'<option value="{label(world, "Internal").pk}"' in form
    assert f'<option value="{label(world, "Confidential").pk}"' not in form


def test_the_settings_warn_about_guests_and_the_refusal_names_them(world, client_for):
    client = client_for(world.owner)
    page = client.get(f"/spaces/{world.private_space.pk}/settings/").content.decode()
    assert "Gina Guest" in page  # said before anyone chooses
    response = client.post(
        f"/spaces/{world.private_space.pk}/settings/",
        {"name": "Client project", "kind": "team", "visibility": "private", "label": label(world, "Confidential").pk},
    )
    assert response.status_code == 409
    assert "Remove them from the space first" in response.content.decode()
    world.private_space.refresh_from_db()
    assert world.private_space.label_id is None


def test_the_composer_raises_a_post_and_its_card_shows_the_badge(world, client_for):
    client = client_for(world.member)
    page = client.get(f"/spaces/{world.open_space.pk}/").content.decode()
    assert 'name="label"' in page
    response = client.post(
        "/posts/new/",
        {"space": world.open_space.pk, "kind": "update", "body": "Salaries", "label": label(world, "Confidential").pk},
    )
    assert response.status_code == 302
    post = Post.objects.get(body="Salaries")
    assert post.label == label(world, "Confidential")
    card = client.get(f"/spaces/{world.open_space.pk}/").content.decode()
    assert "badge-confidential" in card
    assert f'href="/posts/{post.pk}/share/' not in card  # not shared out of its space
    # A label of another organisation is not a choice: a form error, never a 500.
    foreign = Label.objects.get(organisation=world.other_org, name="Confidential")
    response = client.post(
        "/posts/new/", {"space": world.open_space.pk, "kind": "update", "body": "x", "label": foreign.pk}
    )
    assert response.status_code == 400
    assert not Post.objects.filter(body="x").exists()


def test_a_lower_label_than_the_space_is_a_clear_400(world, client_for):
    space = actions.create_space(world.owner, name="Board", label=label(world, "Confidential"))
    response = client_for(world.owner).post(
        "/posts/new/", {"space": space.pk, "kind": "update", "body": "x", "label": label(world, "Internal").pk}
    )
    assert response.status_code == 400
    assert "never lower it" in response.content.decode()


def test_a_home_feed_of_labelled_cards_costs_no_query_per_card(world, client_for, django_assert_max_num_queries):
    client = client_for(world.member)
    feed_actions.create_post(world.member, space=world.open_space, body="warm-up")
    client.get("/")
    with django_assert_max_num_queries(60) as few:
        client.get("/")
    for i in range(8):
        feed_actions.create_post(
            world.member, space=world.open_space, body=f"secret {i}", label=label(world, "Confidential")
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/").content.decode()
    assert page.count("badge-confidential") >= 8


def test_org_settings_hold_the_confidentiality_policies(world, client_for):
    client = client_for(world.admin)
    page = client.get("/admin/settings/").content.decode()
    assert "confidential_space_creators" in page and "confidential_downloads" in page
    response = client.post(
        "/admin/settings/",
        {
            "name": "Acme",
            "policies": "1",
            "space_creators": "members",
            "guest_adders": "managers",
            "guests_may_post": "on",
            "upload_families": ["images", "pdf"],
            "upload_max_mb": "0",
            "edit_window_minutes": "0",
            "confidential_space_creators": "admins",
            # confidential_downloads unticked: refused
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    world.org.refresh_from_db()
    assert world.org.confidential_space_creators == "admins" and world.org.confidential_downloads is False


def test_owners_manage_labels_on_their_page(world, client_for):
    client = client_for(world.owner)
    page = client.get("/admin/settings/labels/").content.decode()
    assert "Internal" in page and "Confidential" in page
    response = client.post("/admin/settings/labels/", {"new-name": "Secret", "new-restricted": "on"})
    assert response.status_code == 302
    secret = Label.objects.get(organisation=world.org, name="Secret")
    assert secret.restricted and secret.rank > label(world, "Confidential").rank
    internal = label(world, "Internal")
    response = client.post(f"/admin/settings/labels/{internal.pk}/", {f"label-{internal.pk}-name": "Interne"})
    assert response.status_code == 302
    assert Label.objects.filter(pk=internal.pk, name="Interne").exists()
    response = client.post(
        f"/admin/settings/labels/{internal.pk}/",
        {f"label-{internal.pk}-name": "Interne", f"label-{internal.pk}-restricted": "on"},
    )
    assert response.status_code == 400 and "cannot be confidential" in response.content.decode()
    assert AuditEvent.objects.filter(action="label.create").exists()
    # Admins may not; another organisation's label is not found.
    assert client_for(world.admin).get("/admin/settings/labels/").status_code == 403
    foreign = Label.objects.get(organisation=world.other_org, name="Internal")
    assert client.post(f"/admin/settings/labels/{foreign.pk}/", {}).status_code == 404
