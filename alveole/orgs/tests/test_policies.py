"""Organisation policies: set by admins, enforced in the actions, the same sentence on the API and
the pages, and the refused controls hidden."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from alveole.accounts.models import Role
from alveole.core.errors import Invalid, PermissionDenied
from alveole.core.models import AuditEvent
from alveole.factories import UserFactory
from alveole.feed import actions as feed_actions
from alveole.feed.models import Comment, Post
from alveole.orgs import actions
from alveole.orgs.models import Organisation
from alveole.spaces import actions as space_actions
from alveole.spaces.models import SpaceMembership, SpaceRole

pytestmark = pytest.mark.django_db


def set_policy(world, **values) -> Organisation:
    org = actions.update_organisation(world.owner, **values)
    for person in (world.owner, world.admin, world.member, world.nonmember, world.guest):
        person.organisation = org
    world.open_space.organisation = org
    world.private_space.organisation = org
    return org


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (217, 142, 4)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- defaults: today's behaviour -----------------------------------------------------------


def test_defaults_keep_todays_behaviour(world, settings) -> None:
    org = world.org
    org.refresh_from_db()
    assert org.space_creators == "members" and org.guest_adders == "managers" and org.guests_may_post
    assert org.upload_families == ["images", "pdf", "office", "text", "archives"]
    assert org.upload_max_mb == 0 and org.edit_window_minutes == 0
    assert space_actions.create_space(world.nonmember, name="Mine")
    feed_actions.create_post(world.guest, space=world.private_space, body="Hello from a guest")
    old = feed_actions.create_post(world.member, space=world.open_space, body="Old")[0]
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    old.refresh_from_db()
    feed_actions.edit_post(world.member, post=old, body="Still editable")


# --- who may create spaces ---------------------------------------------------------------


def test_admins_only_may_create_spaces(world, client_for, api_client_for) -> None:
    set_policy(world, space_creators="admins")
    sentence = "Your organisation lets only admins create spaces."
    with pytest.raises(PermissionDenied, match=sentence):
        space_actions.create_space(world.member, name="Refused")
    response = api_client_for(world.member).post("/api/v1/spaces", {"name": "Refused"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["message"] == sentence
    page = client_for(world.member).post(reverse("space_create"), {"name": "Refused", "kind": "team"})
    assert page.status_code == 403 and sentence in page.content.decode()
    assert space_actions.create_space(world.admin, name="Allowed")
    # The button is gone for the member, still there for the admin.
    assert "New space" not in client_for(world.member).get(reverse("spaces")).content.decode()
    assert "New space" in client_for(world.admin).get(reverse("spaces")).content.decode()


def test_managers_and_admins_may_create_spaces(world) -> None:
    set_policy(world, space_creators="managers")
    with pytest.raises(PermissionDenied, match="only space managers and admins create spaces"):
        space_actions.create_space(world.member, name="Refused")
    SpaceMembership.objects.filter(space=world.open_space, user=world.member).update(role=SpaceRole.MANAGER)
    assert space_actions.create_space(world.member, name="Now allowed")


# --- who may add guests to spaces ------------------------------------------------------------


def test_admins_only_may_add_guests(world, api_client_for) -> None:
    set_policy(world, guest_adders="admins")
    guest = world.guest  # in the private space, so the member sees them
    sentence = "Your organisation lets only admins add guests to spaces."
    # The owner is an admin; a space manager who is a plain member is not.
    SpaceMembership.objects.filter(space=world.open_space, user=world.member).update(role=SpaceRole.MANAGER)
    with pytest.raises(PermissionDenied, match=sentence):
        space_actions.add_space_member(world.member, space=world.open_space, user=guest)
    response = api_client_for(world.member).post(
        f"/api/v1/spaces/{world.open_space.pk}/members", {"user_id": guest.pk}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["message"] == sentence
    # Members (not guests) are still added by managers.
    space_actions.add_space_member(world.member, space=world.open_space, user=world.nonmember)
    space_actions.add_space_member(world.owner, space=world.open_space, user=guest)


def test_any_member_may_add_guests(world) -> None:
    guest = UserFactory.create(organisation=world.org, role=Role.GUEST)
    with pytest.raises(PermissionDenied):
        space_actions.add_space_member(world.member, space=world.private_space, user=guest)
    set_policy(world, guest_adders="members")
    space_actions.add_space_member(world.member, space=world.private_space, user=guest)
    # Not a member of the space: still refused; and only guests, not members, are opened up.
    with pytest.raises(PermissionDenied, match="Only the space's members can add guests"):
        space_actions.add_space_member(world.nonmember, space=world.private_space, user=guest)
    with pytest.raises(PermissionDenied):
        space_actions.add_space_member(world.member, space=world.private_space, user=world.nonmember)


# --- guests: comment only ----------------------------------------------------------------


def test_guests_may_be_kept_to_comments(world, client_for, api_client_for) -> None:
    post = feed_actions.create_post(world.member, space=world.private_space, body="Ask me")[0]
    set_policy(world, guests_may_post=False)
    sentence = "Your organisation lets guests comment only."
    with pytest.raises(PermissionDenied, match=sentence):
        feed_actions.create_post(world.guest, space=world.private_space, body="Refused")
    response = api_client_for(world.guest).post(
        "/api/v1/posts", {"space_id": world.private_space.pk, "body": "Refused"}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["message"] == sentence
    page = client_for(world.guest).post(
        reverse("post_create"), {"space": world.private_space.pk, "body": "No", "kind": "update"}
    )
    assert page.status_code == 403 and sentence in page.content.decode()
    feed_actions.create_comment(world.guest, post=post, body="Comments are fine")
    html = client_for(world.guest).get(reverse("space_detail", args=[world.private_space.pk])).content.decode()
    assert sentence in html and "data-composer" not in html
    html = client_for(world.member).get(reverse("space_detail", args=[world.private_space.pk])).content.decode()
    assert sentence not in html and "data-composer" in html


# --- edit and delete window ----------------------------------------------------------------


def test_the_edit_window_limits_authors_not_managers(world, api_client_for) -> None:
    post = feed_actions.create_post(world.member, space=world.open_space, body="First")[0]
    comment = feed_actions.create_comment(world.member, post=post, body="A comment")[0]
    set_policy(world, edit_window_minutes=15)
    feed_actions.edit_post(world.member, post=post, body="Within the window")
    long_ago = timezone.now() - timedelta(minutes=16)
    Post.objects.filter(pk=post.pk).update(created_at=long_ago)
    Comment.objects.filter(pk=comment.pk).update(created_at=long_ago)
    post.refresh_from_db()
    comment.refresh_from_db()
    sentence = "for 15 minutes only"
    with pytest.raises(PermissionDenied, match=sentence):
        feed_actions.edit_post(world.member, post=post, body="Too late")
    with pytest.raises(PermissionDenied, match=sentence):
        feed_actions.delete_post(world.member, post=post)
    with pytest.raises(PermissionDenied, match=sentence):
        feed_actions.edit_comment(world.member, comment=comment, body="Too late")
    response = api_client_for(world.member).delete(f"/api/v1/comments/{comment.pk}")
    assert response.status_code == 403 and sentence in response.json()["message"]
    # The space's manager (the owner) still moderates.
    feed_actions.delete_comment(world.owner, comment=comment)
    feed_actions.delete_post(world.owner, post=post)


# --- files -----------------------------------------------------------------------------------


def upload(client, name: str, content: bytes):
    return client.post("/api/v1/files", {"file": SimpleUploadedFile(name, content), "name": name})


def test_allowed_file_kinds_and_size(world, api_client_for, client_for) -> None:
    set_policy(world, upload_families=["pdf"], upload_max_mb=1)
    client = api_client_for(world.member)
    refused = upload(client, "photo.png", png_bytes())
    assert refused.status_code == 400
    assert refused.json()["fields"]["file"] == "Your organisation does not accept this kind of file here."
    assert upload(client, "doc.pdf", b"%PDF-1.4\n" + b"x" * 100).status_code == 201
    too_big = upload(client, "big.pdf", b"%PDF-1.4\n" + b"x" * (1024 * 1024 + 1))
    assert too_big.status_code == 400 and "the limit is 1 MB" in too_big.json()["fields"]["file"]
    html = client_for(world.member).get(reverse("space_detail", args=[world.open_space.pk])).content.decode()
    assert 'accept=".pdf"' in html and "Up to 1 MB" in html


def test_an_organisation_may_only_lower_the_server_limit(world, settings) -> None:
    server_mb = settings.ALVEOLE_UPLOAD_MAX_BYTES // 1024 // 1024
    with pytest.raises(Invalid) as raised:
        actions.update_organisation(world.owner, upload_max_mb=server_mb + 1)
    assert "upload_max_mb" in raised.value.fields
    with pytest.raises(Invalid):
        actions.update_organisation(world.owner, upload_families=[])
    with pytest.raises(Invalid):
        actions.update_organisation(world.owner, upload_families=["exe"])
    with pytest.raises(Invalid):
        actions.update_organisation(world.owner, space_creators="everyone")


# --- settings: page, API, audit ------------------------------------------------------------


def test_admins_set_policies_on_the_page_and_it_is_audited(world, client_for) -> None:
    response = client_for(world.admin).post(
        reverse("org_settings"),
        {
            "name": "Acme",
            "policies": "1",
            "space_creators": "admins",
            "guest_adders": "admins",
            "upload_families": ["images", "pdf"],
            "upload_max_mb": "5",
            "edit_window_minutes": "30",
            # guests_may_post unticked: guests comment only
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(pk=world.org.pk)
    assert (org.space_creators, org.guest_adders, org.guests_may_post) == ("admins", "admins", False)
    assert (org.upload_families, org.upload_max_mb, org.edit_window_minutes) == (["images", "pdf"], 5, 30)
    event = AuditEvent.objects.filter(action="org.update").latest("pk")
    assert event.data["changed"]["edit_window_minutes"] == 30 and event.data["changed"]["guests_may_post"] is False
    page = client_for(world.admin).get(reverse("org_settings")).content.decode()
    assert "Who may create spaces" in page and "Edit and delete window" in page


def test_an_empty_file_list_is_refused_on_the_page(world, client_for) -> None:
    response = client_for(world.owner).post(
        reverse("org_settings"),
        {"name": "Acme", "policies": "1", "space_creators": "members", "guest_adders": "managers"},
    )
    assert response.status_code == 400 and "Choose at least one of" in response.content.decode()


def test_policies_through_the_api(world, api_client_for) -> None:
    client = api_client_for(world.admin)
    response = client.patch(
        "/api/v1/organisation",
        {"guests_may_post": False, "edit_window_minutes": 10, "upload_families": ["text"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["guests_may_post"] is False and body["edit_window_minutes"] == 10
    assert body["upload_families"] == ["text"] and body["space_creators"] == "members"
    refused = client.patch("/api/v1/organisation", {"guest_adders": "anyone"}, content_type="application/json")
    assert refused.status_code == 400 and "guest_adders" in refused.json()["fields"]
    denied = api_client_for(world.member).patch(
        "/api/v1/organisation", {"guests_may_post": False}, content_type="application/json"
    )
    assert denied.status_code == 403
