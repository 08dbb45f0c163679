"""Guests invited from a space by its managers (or members), as the organisation's guest policy says."""

from __future__ import annotations

from html import unescape

import pytest
from django.core import mail

from alveole.accounts.models import Role
from alveole.core.errors import Conflict, NotFound, PermissionDenied, RateLimited
from alveole.core.models import AuditEvent
from alveole.core.policies import GuestAdders
from alveole.feed import actions as feed
from alveole.orgs import actions
from alveole.orgs.models import Invitation
from alveole.spaces import actions as spaces
from alveole.spaces.models import Label, Space, SpaceRole

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-fresh-hive-password"


def secret_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def policy(world, rule: str) -> Space:
    """Set the organisation's guest policy; the private space as a fresh read sees it."""
    world.org.guest_adders = rule
    world.org.save(update_fields=["guest_adders"])
    return Space.objects.get(pk=world.private_space.pk)


@pytest.fixture
def manager(world):
    """The member, made a manager of the private space (not an organisation admin)."""
    spaces.set_space_member_role(world.owner, space=world.private_space, user=world.member, role=SpaceRole.MANAGER)
    return world.member


def confidential(world) -> Label:
    return Label.objects.get(organisation=world.org, restricted=True)


def test_a_space_manager_invites_a_guest_into_that_space_only(world, manager, django_capture_on_commit_callbacks):
    space = policy(world, GuestAdders.MANAGERS)
    with django_capture_on_commit_callbacks(execute=True):
        invitation, link = actions.invite_guest(manager, email="Client@Example.org", space=space)
    assert invitation.role == Role.GUEST and invitation.email == "client@example.org"
    assert list(invitation.spaces.all()) == [space] and invitation.invited_by == manager
    [email] = mail.outbox
    assert email.to == ["client@example.org"] and link in email.body and "As a guest, you will see only: " in email.body
    assert space.name in email.body
    audit = AuditEvent.objects.get(action="invitation.create", actor=manager)
    assert audit.data["role"] == Role.GUEST and audit.data["spaces"] == [space.pk]
    guest = actions.accept_invitation(secret=secret_of(link), full_name="Cleo Client", password=NEW_PASSWORD)
    assert guest.role == Role.GUEST and list(guest.spaces.all()) == [space]


@pytest.mark.parametrize(
    ("rule", "refused_sentence"),
    [
        (GuestAdders.MANAGERS, "Your organisation lets only space managers and admins add guests to spaces."),
        (GuestAdders.ADMINS, "Your organisation lets only admins add guests to spaces."),
    ],
)
def test_a_plain_member_is_refused_with_the_policys_sentence_and_audited(world, rule, refused_sentence):
    space = policy(world, rule)
    with pytest.raises(PermissionDenied) as refused:
        actions.invite_guest(world.member, email="client@example.org", space=space)
    assert refused.value.message == refused_sentence
    denied = AuditEvent.objects.get(action="invitation.guest.denied", actor=world.member)
    assert denied.target_id == space.pk and denied.data == {"email": "client@example.org", "reason": refused_sentence}
    assert not Invitation.objects.exists()


def test_with_the_admins_policy_a_manager_is_refused_and_an_admin_who_manages_it_invites(world, manager):
    space = policy(world, GuestAdders.ADMINS)
    with pytest.raises(PermissionDenied, match="only admins"):
        actions.invite_guest(manager, email="client@example.org", space=space)
    invitation, _link = actions.invite_guest(world.owner, email="client@example.org", space=space)
    assert invitation.role == Role.GUEST


def test_with_the_members_policy_any_member_of_the_space_invites(world):
    space = policy(world, GuestAdders.MEMBERS)
    invitation, _link = actions.invite_guest(world.member, email="client@example.org", space=space)
    assert list(invitation.spaces.all()) == [space]
    open_space = Space.objects.get(pk=world.open_space.pk)
    with pytest.raises(PermissionDenied, match="Only the space's members"):
        actions.invite_guest(world.nonmember, email="other@example.org", space=open_space)


@pytest.mark.parametrize("rule", list(GuestAdders))
def test_guests_never_invite(world, rule):
    space = policy(world, rule)
    with pytest.raises(PermissionDenied, match="Guests cannot invite people"):
        actions.invite_guest(world.guest, email="friend@example.org", space=space)
    assert AuditEvent.objects.filter(action="invitation.guest.denied", actor=world.guest).count() == 1


def test_a_confidential_space_takes_no_guest_invitation(world):
    board = spaces.create_space(world.owner, name="Board", label=confidential(world))
    with pytest.raises(PermissionDenied) as refused:
        actions.invite_guest(world.owner, email="client@example.org", space=board)
    sentence = "“Board” carries the confidential label Confidential: guests cannot be invited to it."
    assert refused.value.message == sentence
    assert AuditEvent.objects.filter(action="invitation.guest.denied", target_id=board.pk).exists()
    assert not Invitation.objects.exists()


def test_a_space_holding_a_confidential_post_takes_no_guest_invitation(world):
    feed.create_post(world.owner, space=world.open_space, body="Salary grid", label=confidential(world))
    with pytest.raises(PermissionDenied, match="holds confidential posts"):
        actions.invite_guest(world.owner, email="client@example.org", space=world.open_space)


def test_an_archived_space_and_an_existing_account_are_conflicts(world, manager):
    with pytest.raises(Conflict):
        actions.invite_guest(manager, email=world.nonmember.email, space=world.private_space)
    spaces.archive_space(world.owner, space=world.private_space)
    with pytest.raises(Conflict, match="archived"):
        actions.invite_guest(manager, email="client@example.org", space=world.private_space)


def test_a_manager_does_not_replace_an_admins_pending_invitation(world, manager):
    sent, _link = actions.invite_member(world.admin, email="anna@example.org", role=Role.MEMBER)
    with pytest.raises(Conflict, match="pending invitation"):
        actions.invite_guest(manager, email="anna@example.org", space=world.private_space)
    sent.refresh_from_db()
    assert sent.is_pending
    # An admin may: theirs to change.
    actions.invite_guest(world.owner, email="anna@example.org", space=world.private_space)
    sent.refresh_from_db()
    assert sent.revoked_at is not None


def test_another_organisations_space_is_not_found(world):
    with pytest.raises(NotFound):
        actions.invite_guest(world.owner, email="client@example.org", space=world.other_space)


def test_guest_invitations_are_limited_per_person_and_hour(world, manager, settings):
    settings.ALVEOLE_GUEST_INVITATIONS_PER_HOUR = 2
    for n in range(2):
        actions.invite_guest(manager, email=f"client{n}@example.org", space=world.private_space)
    with pytest.raises(RateLimited) as limited:
        actions.invite_guest(manager, email="client9@example.org", space=world.private_space)
    assert limited.value.status == 429 and limited.value.retry_after
    assert Invitation.objects.count() == 2


# --- the members page ---------------------------------------------------------------------------


def test_the_members_page_offers_the_form_to_whom_the_policy_allows(world, manager, client_for):
    page = f"/spaces/{world.private_space.pk}/members/"
    form = f'action="/spaces/{world.private_space.pk}/guests/invite/"'
    assert form in client_for(manager).get(page).content.decode()
    assert form not in client_for(world.guest).get(page).content.decode()
    policy(world, GuestAdders.ADMINS)
    assert form not in client_for(manager).get(page).content.decode()
    assert form in client_for(world.owner).get(page).content.decode()
    policy(world, GuestAdders.MEMBERS)
    spaces.set_space_member_role(world.owner, space=world.private_space, user=world.member, role=SpaceRole.MEMBER)
    assert form in client_for(world.member).get(page).content.decode()


def test_the_members_page_of_a_confidential_space_says_why_there_is_no_form(world, client_for):
    board = spaces.create_space(world.owner, name="Board", label=confidential(world))
    html = unescape(client_for(world.owner).get(f"/spaces/{board.pk}/members/").content.decode())
    assert "guests cannot be invited to it" in html and f'action="/spaces/{board.pk}/guests/invite/"' not in html


def test_sending_the_form_invites_and_shows_the_link_to_admins_only(world, manager, client_for):
    url = f"/spaces/{world.private_space.pk}/guests/invite/"
    response = client_for(manager).post(url, {"email": "client@example.org"})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "client@example.org is invited to “Client project” as a guest: the link is on its way by email" in html
    # Only whoever reads the address may accept: a manager who is not an admin never holds the link.
    assert 'data-testid="invitation-link"' not in html
    assert Invitation.objects.get().role == Role.GUEST
    html = unescape(client_for(world.owner).post(url, {"email": "partner@example.org"}).content.decode())
    assert 'data-testid="invitation-link"' in html


def test_the_form_refuses_a_bad_address_and_a_refused_person(world, manager, client_for):
    url = f"/spaces/{world.private_space.pk}/guests/invite/"
    assert client_for(manager).post(url, {"email": "not an address"}).status_code == 400
    refused = client_for(world.guest).post(url, {"email": "client@example.org"})
    assert refused.status_code == 403 and "Guests cannot invite people." in unescape(refused.content.decode())
    assert client_for(world.guest).get(url).status_code == 403
    assert client_for(world.nonmember).get(url).status_code == 404  # a private space they cannot see
    assert client_for(world.other).post(url, {"email": "client@example.org"}).status_code == 404
    assert not Invitation.objects.exists()


def test_the_api_invites_a_guest_and_refuses_with_the_policys_sentence(world, manager, api_client_for):
    url = f"/api/v1/spaces/{world.private_space.pk}/guest-invitations"
    created = api_client_for(manager).post(url, {"email": "client@example.org"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["invitation"]["role"] == "guest" and body["invitation"]["space_ids"] == [world.private_space.pk]
    assert body["link"] == ""  # a manager who is not an admin: the email alone carries it
    admin_made = api_client_for(world.owner).post(
        url, {"email": "partner@example.org"}, content_type="application/json"
    )
    assert admin_made.json()["link"].startswith("http")
    policy(world, GuestAdders.ADMINS)
    refused = api_client_for(manager).post(url, {"email": "other@example.org"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["message"] == "Your organisation lets only admins add guests to spaces."


def test_the_space_manager_and_the_sender_revoke_a_guest_invitation(world, manager, client):
    space = policy(world, GuestAdders.MEMBERS)
    by_manager, _link = actions.invite_guest(manager, email="client@example.org", space=space)
    spaces.add_space_member(world.owner, space=space, user=world.nonmember, role=SpaceRole.MEMBER)
    by_member, _link = actions.invite_guest(world.nonmember, email="partner@example.org", space=space)
    # A member who sent one sees and revokes theirs only; the manager sees both.
    client.force_login(world.nonmember)
    page = client.get(f"/spaces/{space.pk}/members/").content.decode()
    assert "<strong>partner@example.org</strong>" in page and "client@example.org" not in page
    url = f"/spaces/{space.pk}/guests/invitations/{{}}/revoke/"
    assert client.post(url.format(by_manager.pk)).status_code == 404
    assert client.post(url.format(by_member.pk)).status_code == 302
    client.force_login(manager)
    page = client.get(f"/spaces/{space.pk}/members/").content.decode()
    assert "<strong>client@example.org</strong>" in page
    assert "<strong>partner@example.org</strong>" not in page  # revoked: no longer listed
    assert client.post(url.format(by_manager.pk)).status_code == 302
    for invitation in (by_manager, by_member):
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action="invitation.revoke", actor=manager).count() == 1


def test_no_one_else_revokes_a_guest_invitation(world, manager):
    invitation, _link = actions.invite_guest(manager, email="client@example.org", space=world.private_space)
    member_invitation, _link = actions.invite_member(world.owner, email="new@example.org")
    with pytest.raises(PermissionDenied):
        actions.revoke_invitation(world.nonmember, invitation=invitation)  # not its manager, not its sender
    with pytest.raises(PermissionDenied):
        actions.revoke_invitation(manager, invitation=member_invitation)  # a member's invitation is the admins'
    with pytest.raises(NotFound):
        actions.revoke_invitation(world.other, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.is_pending
