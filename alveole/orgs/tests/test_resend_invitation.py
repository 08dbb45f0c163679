"""Resending an invitation: a fresh link and expiry, emailed again, audited, limited, refused when it is over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from alveole.core.audit import labels
from alveole.core.errors import Conflict, NotFound, PermissionDenied, RateLimited
from alveole.core.models import AuditEvent
from alveole.orgs import actions
from alveole.orgs.models import Invitation

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-fresh-hive-password"


def secret_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_resending_emails_a_new_link_and_renews_the_expiry(world, django_capture_on_commit_callbacks):
    invitation, old_link = actions.invite_member(world.owner, email="slow@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    invitation.refresh_from_db()
    assert invitation.status == "expired"
    with django_capture_on_commit_callbacks(execute=True):
        resent, link = actions.resend_invitation(world.admin, invitation=invitation)
    assert link != old_link
    assert resent.status == "pending"
    assert resent.expires_at > timezone.now() + timedelta(days=settings.ALVEOLE_INVITATION_DAYS - 1)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["slow@example.org"] and link in mail.outbox[0].body
    event = AuditEvent.objects.get(action="invitation.resend")
    assert event.actor == world.admin and event.target_label == "slow@example.org"
    # Only the new link opens the invitation.
    with pytest.raises(NotFound):
        actions.pending_invitation(secret_of(old_link))
    user = actions.accept_invitation(secret=secret_of(link), full_name="Sam Slow", password=NEW_PASSWORD)
    assert user.organisation == world.org


def test_the_audit_page_has_words_for_it():
    assert "invitation.resend" in labels()


def test_an_accepted_or_revoked_invitation_is_not_resent(world):
    accepted, link = actions.invite_member(world.owner, email="joined@example.org")
    actions.accept_invitation(secret=secret_of(link), full_name="Jo Joined", password=NEW_PASSWORD)
    with pytest.raises(Conflict, match="already accepted"):
        actions.resend_invitation(world.owner, invitation=accepted)
    revoked, _link = actions.invite_member(world.owner, email="gone@example.org")
    actions.revoke_invitation(world.owner, invitation=revoked)
    before = Invitation.objects.get(pk=revoked.pk)
    with pytest.raises(Conflict, match="revoked"):
        actions.resend_invitation(world.owner, invitation=revoked)
    after = Invitation.objects.get(pk=revoked.pk)
    assert (after.key_hash, after.expires_at) == (before.key_hash, before.expires_at)
    assert not AuditEvent.objects.filter(action="invitation.resend").exists()


def test_an_address_that_has_since_got_an_account_is_not_invited_again(world):
    invitation, _link = actions.invite_member(world.owner, email="made@example.org")
    actions.create_user(organisation=world.org, email="made@example.org", full_name="Made Directly")
    with pytest.raises(Conflict, match="already has an account"):
        actions.resend_invitation(world.owner, invitation=invitation)


def test_only_this_organisations_admins_may_resend(world):
    invitation, _link = actions.invite_member(world.owner, email="x@example.org")
    with pytest.raises(PermissionDenied):
        actions.resend_invitation(world.member, invitation=invitation)
    with pytest.raises(NotFound):
        actions.resend_invitation(world.other, invitation=invitation)


def test_resending_is_rate_limited_per_invitation(world, django_capture_on_commit_callbacks):
    invitation, _link = actions.invite_member(world.owner, email="spam@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(actions.RESENDS_PER_INVITATION):
            actions.resend_invitation(world.owner, invitation=invitation)
    before = Invitation.objects.get(pk=invitation.pk)
    with pytest.raises(RateLimited) as refused:
        actions.resend_invitation(world.admin, invitation=invitation)
    assert 0 < refused.value.retry_after <= actions.RESEND_WINDOW
    assert "Try again in" in refused.value.message
    assert Invitation.objects.get(pk=invitation.pk).key_hash == before.key_hash
    assert len(mail.outbox) == actions.RESENDS_PER_INVITATION
    assert AuditEvent.objects.filter(action="invitation.resend").count() == actions.RESENDS_PER_INVITATION
    # Another invitation is not held back by this one.
    other, _link = actions.invite_member(world.owner, email="other@example.org")
    actions.resend_invitation(world.admin, invitation=other)


def test_resending_is_rate_limited_per_admin(world, monkeypatch):
    monkeypatch.setattr(actions, "RESENDS_PER_ADMIN", 2)
    invitations = [actions.invite_member(world.owner, email=f"p{i}@example.org")[0] for i in range(3)]
    actions.resend_invitation(world.admin, invitation=invitations[0])
    actions.resend_invitation(world.admin, invitation=invitations[1])
    with pytest.raises(RateLimited):
        actions.resend_invitation(world.admin, invitation=invitations[2])
    actions.resend_invitation(world.owner, invitation=invitations[2])  # another admin still may


# --- the admin page -------------------------------------------------------------------------


def test_the_admin_page_offers_resend_for_pending_and_expired_only(world, client_for):
    pending, _ = actions.invite_member(world.owner, email="pending@example.org")
    expired, _ = actions.invite_member(world.owner, email="expired@example.org")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked, _ = actions.invite_member(world.owner, email="revoked@example.org")
    actions.revoke_invitation(world.owner, invitation=revoked)
    html = client_for(world.admin).get("/admin/invitations/").content.decode()
    assert f"/admin/invitations/{pending.pk}/resend/" in html
    assert f"/admin/invitations/{expired.pk}/resend/" in html
    assert f"/admin/invitations/{revoked.pk}/resend/" not in html


def test_resending_from_the_admin_page_confirms_and_shows_the_new_link(
    world, client_for, django_capture_on_commit_callbacks
):
    invitation, old_link = actions.invite_member(world.owner, email="again@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(f"/admin/invitations/{invitation.pk}/resend/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "The invitation for again@example.org was sent again" in html
    link = mail.outbox[0].body.split("/invite/")[1].split()[0].rstrip("/")
    assert f"/invite/{link}/" in html and old_link not in html


def test_the_admin_page_says_why_a_resend_is_refused(world, client_for):
    invitation, _ = actions.invite_member(world.owner, email="gone@example.org")
    actions.revoke_invitation(world.owner, invitation=invitation)
    client = client_for(world.admin)
    response = client.post(f"/admin/invitations/{invitation.pk}/resend/")
    assert response.status_code == 409
    assert "This invitation was revoked, so it cannot be resent." in response.content.decode()
    pending, _ = actions.invite_member(world.owner, email="busy@example.org")
    for _ in range(actions.RESENDS_PER_INVITATION):
        assert client.post(f"/admin/invitations/{pending.pk}/resend/").status_code == 200
    limited = client.post(f"/admin/invitations/{pending.pk}/resend/")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert "Try again in" in limited.content.decode()


def test_members_and_other_organisations_cannot_resend_from_the_page(world, client_for):
    invitation, _ = actions.invite_member(world.owner, email="x@example.org")
    assert client_for(world.member).post(f"/admin/invitations/{invitation.pk}/resend/").status_code == 403
    assert client_for(world.other).post(f"/admin/invitations/{invitation.pk}/resend/").status_code == 404
    assert client_for(world.admin).get(f"/admin/invitations/{invitation.pk}/resend/").status_code == 405
    assert not AuditEvent.objects.filter(action="invitation.resend").exists()


# --- the API --------------------------------------------------------------------------------


def test_the_api_resends_and_refuses_in_the_same_words(world, api_client_for):
    invitation, _ = actions.invite_member(world.owner, email="api@example.org")
    client = api_client_for(world.admin)
    response = client.post(f"/api/v1/invitations/{invitation.pk}/resend", content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["invitation"]["id"] == invitation.pk and body["invitation"]["status"] == "pending"
    assert "/invite/inv" in body["link"]
    actions.revoke_invitation(world.owner, invitation=invitation)
    refused = client.post(f"/api/v1/invitations/{invitation.pk}/resend", content_type="application/json")
    assert refused.status_code == 409 and "revoked" in refused.json()["message"]
    member = api_client_for(world.member).post(f"/api/v1/invitations/{invitation.pk}/resend")
    assert member.status_code == 404


def test_an_admin_cannot_resend_an_owners_invitation(world, client_for, api_client_for):
    """A resend makes a new link for the invitation's role: an admin, who may not invite an owner, may
    not mint one by resending an owner's invitation either (page, button and API)."""
    invitation, _link = actions.invite_member(world.owner, email="next-owner@example.org", role="owner")
    with pytest.raises(PermissionDenied):
        actions.resend_invitation(world.admin, invitation=invitation)
    page = client_for(world.admin).get("/admin/invitations/").content.decode()
    assert f"/admin/invitations/{invitation.pk}/resend/" not in page
    assert client_for(world.admin).post(f"/admin/invitations/{invitation.pk}/resend/").status_code == 403
    response = api_client_for(world.admin).post(
        f"/api/v1/invitations/{invitation.pk}/resend", content_type="application/json"
    )
    assert response.status_code == 403
    assert actions.resend_invitation(world.owner, invitation=invitation)[1]
