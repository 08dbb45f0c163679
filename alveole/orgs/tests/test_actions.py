"""Invitations, roles and deactivation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import Client
from django.utils import timezone

from alveole.accounts.models import Role, User
from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from alveole.core.models import AuditEvent
from alveole.factories import TEST_PASSWORD
from alveole.orgs import actions
from alveole.orgs.models import Invitation

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-fresh-hive-password"


def secret_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_an_invitation_is_emailed_and_audited(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, link = actions.invite_member(world.admin, email="New.Person@Example.org")
    assert invitation.email == "new.person@example.org"
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert secret_of(link) not in invitation.key_hash
    assert AuditEvent.objects.filter(action="invitation.create", actor=world.admin).exists()


def test_accepting_creates_the_account_in_the_right_org_and_spaces(world):
    _inv, link = actions.invite_member(
        world.owner, email="client@example.org", role=Role.GUEST, spaces=[world.private_space]
    )
    user = actions.accept_invitation(secret=secret_of(link), full_name="Cleo Client", password=NEW_PASSWORD)
    assert user.organisation == world.org and user.role == Role.GUEST
    assert list(user.spaces.all()) == [world.private_space]
    # The password is the new identity's, the one that signs in; the account's own is unusable.
    assert user.identity is not None and user.identity.login_email == "client@example.org"
    assert user.identity.check_password(NEW_PASSWORD) and not user.has_usable_password()


def test_an_invitation_link_works_only_once(world):
    _inv, link = actions.invite_member(world.owner, email="once@example.org")
    actions.accept_invitation(secret=secret_of(link), full_name="Once", password=NEW_PASSWORD)
    with pytest.raises(Conflict, match="already used"):
        actions.accept_invitation(secret=secret_of(link), full_name="Twice", password=NEW_PASSWORD)
    assert User.objects.filter(email="once@example.org").count() == 1


def test_an_expired_invitation_is_refused(world):
    invitation, link = actions.invite_member(world.owner, email="late@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict, match="expired"):
        actions.accept_invitation(secret=secret_of(link), full_name="Late", password=NEW_PASSWORD)


def test_a_forged_or_revoked_link_is_refused(world):
    invitation, link = actions.invite_member(world.owner, email="revoked@example.org")
    with pytest.raises(NotFound):
        actions.accept_invitation(secret="inv_forged", full_name="X", password=NEW_PASSWORD)
    actions.revoke_invitation(world.admin, invitation=invitation)
    with pytest.raises(NotFound):
        actions.accept_invitation(secret=secret_of(link), full_name="X", password=NEW_PASSWORD)


def test_accepting_with_a_weak_password_writes_nothing(world):
    _inv, link = actions.invite_member(world.owner, email="weak@example.org")
    with pytest.raises(Invalid) as exc:
        actions.accept_invitation(secret=secret_of(link), full_name="Weak", password="12345")
    assert "password" in exc.value.fields
    assert not User.objects.filter(email="weak@example.org").exists()
    assert Invitation.objects.get(email="weak@example.org").accepted_at is None


def test_a_guest_invitation_needs_a_space(world):
    with pytest.raises(Invalid) as exc:
        actions.invite_member(world.owner, email="g@example.org", role=Role.GUEST)
    assert "spaces" in exc.value.fields


def test_members_cannot_invite_and_admins_cannot_create_owners(world):
    with pytest.raises(PermissionDenied):
        actions.invite_member(world.member, email="x@example.org")
    with pytest.raises(PermissionDenied):
        actions.invite_member(world.admin, email="x@example.org", role=Role.OWNER)


def test_inviting_an_existing_account_is_a_conflict(world):
    with pytest.raises(Conflict):
        actions.invite_member(world.owner, email=world.member.email)


def test_role_changes_are_audited_and_keep_an_owner(world):
    actions.change_role(world.owner, member=world.nonmember, role=Role.ADMIN)
    event = AuditEvent.objects.get(action="member.role")
    assert event.data == {"before": "member", "after": "admin"}
    with pytest.raises(Conflict, match="at least one active owner"):
        actions.change_role(world.owner, member=world.owner, role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        actions.change_role(world.admin, member=world.owner, role=Role.MEMBER)


def test_no_one_can_act_on_another_organisation(world):
    with pytest.raises(NotFound):
        actions.change_role(world.other, member=world.member, role=Role.ADMIN)
    with pytest.raises(NotFound):
        actions.deactivate_member(world.other, member=world.member)


def test_deactivation_ends_every_session_at_once(world):
    client = Client()
    client.post("/accounts/login/", {"login": world.member.email, "password": TEST_PASSWORD})
    assert client.get("/api/v1/me").status_code == 200
    # Sessions are the identity's: the last active account deactivated ends them.
    assert UserSession.objects.filter(user=world.member.identity).exists()
    actions.deactivate_member(world.admin, member=world.member)
    assert not UserSession.objects.filter(user=world.member.identity).exists()
    assert client.get("/api/v1/me").status_code == 401
    assert not SessionStore().exists(client.cookies["sessionid"].value)
    assert AuditEvent.objects.filter(action="member.deactivate", actor=world.admin).exists()


def test_a_deactivated_person_cannot_sign_in(world):
    actions.deactivate_member(world.owner, member=world.member)
    response = Client().post("/accounts/login/", {"login": world.member.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in response.client.session if hasattr(response, "client") else True
    assert Client().get("/api/v1/me").status_code == 401


def test_no_one_deactivates_themselves(world):
    with pytest.raises(Conflict):
        actions.deactivate_member(world.admin, member=world.admin)
