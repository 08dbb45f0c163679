"""Inviting an address must not tell the inviter whether it has an account in another organisation."""

from __future__ import annotations

import re

import pytest
import time_machine
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


def _same_bytes(body: bytes, email: str, link: str, invitation_id: int) -> bytes:
    """The answer with what must differ (the address, the secret link, the row id, CSRF tokens) blanked."""
    text = body.decode().replace(link, "LINK").replace(link.removeprefix("http://testserver"), "LINK")
    text = text.replace(email, "EMAIL")
    text = re.sub(rf'"id": ?{invitation_id}\b', '"id": ID', text)
    text = re.sub(rf"/invitations/{invitation_id}/", "/invitations/ID/", text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    return text.encode()


def _latest(email: str) -> Invitation:
    return Invitation.objects.filter(email=email).latest("pk")


@pytest.mark.parametrize("door", ["api", "page"])
def test_inviting_an_address_used_elsewhere_answers_byte_for_byte_as_a_new_one(
    world, api_client_for, client_for, django_capture_on_commit_callbacks, door
) -> None:
    """The inviter's answer (status, headers that matter, body) and the email sent are the same kind
    whether or not the address already has an account in another organisation."""
    api, page = api_client_for(world.admin), client_for(world.admin)
    answers = []
    with time_machine.travel("2026-12-01 10:00:00+00:00", tick=False):
        for email in (world.other.email, "fresh-person@example.org"):
            mail.outbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                if door == "api":
                    response = _invite_by_api(api, email)
                else:
                    response = page.post(reverse("org_invitations"), {"emails": email, "role": "member"})
            invitation = _latest(email)
            link = (
                response.json()["link"]
                if door == "api"
                else re.search(r"http://testserver/invite/[\w-]+/", response.content.decode())[0]  # type: ignore[index]
            )
            (sent,) = mail.outbox
            answers.append(
                (
                    response.status_code,
                    response["Content-Type"],
                    _same_bytes(response.content, email, link, invitation.pk),
                    sent.subject.replace(email, "EMAIL"),
                    _same_bytes(sent.body.encode(), email, link, invitation.pk),
                )
            )
            # The next answer must not list this one (the page shows the pending invitations).
            Invitation.objects.filter(pk=invitation.pk).delete()
    assert answers[0] == answers[1]
    assert answers[0][0] == (201 if door == "api" else 200)


def test_the_owner_of_the_address_is_asked_to_sign_in_and_nothing_is_revealed(world, client) -> None:
    _invitation, link = actions.invite_member(world.admin, email=world.other.email)
    url = link.removeprefix("http://testserver")
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sign in to accept" in html and f"/accounts/login/?next={url}" in html
    assert "Globex" not in html and "another organisation" not in html
    assert "Create my account" not in html
    # Choosing a new password on the link would bypass the existing sign-in (and its two-factor).
    response = client.post(url, {"full_name": "Oscar Again", "password": NEW_PASSWORD})
    assert response.status_code == 200 and "Sign in to accept" in response.content.decode()
    assert User.objects.filter(email=world.other.email).get() == world.other
    assert Invitation.objects.get(email=world.other.email).accepted_at is None
