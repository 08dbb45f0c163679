"""Inviting an address must not tell the inviter whether it has an account in another organisation."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.accounts.models import User
from alveole.orgs import actions
from alveole.orgs.models import Invitation

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def _invite_by_api(client, email: str):
    return client.post("/api/v1/invitations", {"email": email}, content_type="application/json")


def test_an_address_of_another_organisation_is_invited_like_a_new_one(
    world, api_client_for, django_capture_on_commit_callbacks
) -> None:
    client = api_client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere = _invite_by_api(client, world.other.email)
        fresh = _invite_by_api(client, "fresh@example.org")
    assert elsewhere.status_code == fresh.status_code == 201
    assert elsewhere.json().keys() == fresh.json().keys()
    assert elsewhere.json()["invitation"]["email"] == world.other.email
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.other.email, "fresh@example.org"])


def test_within_the_organisation_an_existing_account_is_still_a_clear_409(world, api_client_for) -> None:
    response = _invite_by_api(api_client_for(world.admin), world.member.email)
    assert response.status_code == 409
    assert response.json()["message"] == "Someone with this email address already has an account."
    assert not Invitation.objects.exists()


def test_both_answers_do_the_same_work(world) -> None:
    """No branch does more (or less) database work, so time cannot tell them apart either."""
    counts = []
    for email in (world.other.email, "fresh@example.org"):
        with CaptureQueriesContext(connection) as ctx:
            actions.invite_member(world.admin, email=email)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_admin_form_invites_an_address_of_another_organisation(world, client_for) -> None:
    response = client_for(world.admin).post(
        reverse("org_invitations"), {"emails": f"fresh@example.com\n{world.other.email}", "role": "member"}
    )
    assert response.status_code == 200
    assert set(Invitation.objects.values_list("email", flat=True)) == {"fresh@example.com", world.other.email}
    assert "already has an account" not in response.content.decode()


def test_the_owner_of_the_address_is_told_plainly_when_opening_the_link(world, client) -> None:
    _invitation, link = actions.invite_member(world.admin, email=world.other.email)
    url = link.removeprefix("http://testserver")
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 409
    assert "already has an Alvéole account with another organisation" in html
    assert "Ask Adam Admin to invite you with another email address" in html
    assert "Create my account" not in html
    response = client.post(url, {"full_name": "Oscar Again", "password": NEW_PASSWORD})
    assert response.status_code == 409
    assert User.objects.filter(email=world.other.email).get() == world.other
    assert Invitation.objects.get(email=world.other.email).accepted_at is None
