"""People directory, admin pages and invitation acceptance, through the role matrix."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alveole.accounts.models import Role, User
from alveole.core.models import AuditEvent
from alveole.orgs import actions
from alveole.orgs.models import Invitation

ADMIN_PAGES = ["org_admin", "org_invitations", "org_audit", "org_settings"]


# --- people --------------------------------------------------------------------------------


def test_people_directory_and_search(world, client_for) -> None:
    client = client_for(world.member)
    html = client.get(reverse("people")).content.decode()
    assert "Adam Admin" in html and "Gina Guest" in html  # the guest shares a space with Mia
    assert "Oscar Other" not in html
    html = client.get(reverse("people"), {"q": "noah"}).content.decode()
    assert "Noah Nonmember" in html and "Adam Admin" not in html


def test_guest_sees_only_people_of_their_spaces(world, client_for) -> None:
    client = client_for(world.guest)
    html = client.get(reverse("people")).content.decode()
    assert "Mia Member" in html and "Olivia Owner" in html
    assert "Noah Nonmember" not in html and "Adam Admin" not in html
    assert client.get(reverse("person", args=[world.nonmember.pk])).status_code == 404


def test_person_page_shows_shared_spaces(world, client_for) -> None:
    response = client_for(world.member).get(reverse("person", args=[world.owner.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Olivia Owner" in html and "Client project" in html and "Everyone" in html


def test_person_of_another_organisation_is_404(world, client_for) -> None:
    assert client_for(world.member).get(reverse("person", args=[world.other.pk])).status_code == 404
    assert client_for(world.other).get(reverse("person", args=[world.member.pk])).status_code == 404


def test_bad_cursor_is_a_400_not_a_500(world, client_for) -> None:
    response = client_for(world.member).get(reverse("people"), {"cursor": "%%%not-a-cursor"})
    assert response.status_code == 400
    assert "page cursor" in response.content.decode() or "cannot be processed" in response.content.decode()


# --- admin access -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["member", "nonmember", "guest"])
def test_admin_pages_are_403_for_non_admins(world, client_for, page: str, role: str) -> None:
    response = client_for(world.user(role)).get(reverse(page))
    assert response.status_code == 403
    assert "owners and admins" in response.content.decode()


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["owner", "admin"])
def test_admin_pages_open_for_admins(world, client_for, page: str, role: str) -> None:
    assert client_for(world.user(role)).get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_send_anonymous_visitors_to_sign_in(client, page: str) -> None:
    response = client.get(reverse(page))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# --- admin: members ---------------------------------------------------------------------------


def test_members_table_lists_everyone_with_role_forms(world, client_for) -> None:
    html = client_for(world.admin).get(reverse("org_admin")).content.decode()
    for person in (world.owner, world.member, world.guest):
        assert person.email in html
    assert world.other.email not in html
    assert reverse("org_member_role", args=[world.member.pk]) in html
    assert reverse("org_member_deactivate", args=[world.member.pk]) in html
    assert 'data-confirm="Deactivate' in html


def test_change_role(world, client_for) -> None:
    response = client_for(world.admin).post(reverse("org_member_role", args=[world.member.pk]), {"role": "admin"})
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.role == Role.ADMIN


def test_change_role_to_an_unknown_value_is_400(world, client_for) -> None:
    response = client_for(world.admin).post(reverse("org_member_role", args=[world.member.pk]), {"role": "king"})
    assert response.status_code == 400
    world.member.refresh_from_db()
    assert world.member.role == Role.MEMBER


def test_admin_cannot_make_an_owner(world, client_for) -> None:
    response = client_for(world.admin).post(reverse("org_member_role", args=[world.member.pk]), {"role": "owner"})
    assert response.status_code == 403
    assert "Only an owner can make someone an owner." in response.content.decode()
    world.member.refresh_from_db()
    assert world.member.role == Role.MEMBER


def test_last_owner_cannot_step_down(world, client_for) -> None:
    response = client_for(world.owner).post(reverse("org_member_role", args=[world.owner.pk]), {"role": "member"})
    assert response.status_code == 409
    assert "at least one active owner" in response.content.decode()


def test_member_cannot_change_roles(world, client_for) -> None:
    response = client_for(world.member).post(reverse("org_member_role", args=[world.nonmember.pk]), {"role": "admin"})
    assert response.status_code == 403
    world.nonmember.refresh_from_db()
    assert world.nonmember.role == Role.MEMBER


def test_deactivate_and_reactivate(world, client_for) -> None:
    client = client_for(world.admin)
    assert client.post(reverse("org_member_deactivate", args=[world.member.pk])).status_code == 302
    world.member.refresh_from_db()
    assert not world.member.is_active
    html = client.get(reverse("org_admin")).content.decode()
    assert reverse("org_member_reactivate", args=[world.member.pk]) in html
    assert client.post(reverse("org_member_reactivate", args=[world.member.pk])).status_code == 302
    world.member.refresh_from_db()
    assert world.member.is_active


def test_deactivating_yourself_is_409(world, client_for) -> None:
    response = client_for(world.admin).post(reverse("org_member_deactivate", args=[world.admin.pk]))
    assert response.status_code == 409
    world.admin.refresh_from_db()
    assert world.admin.is_active


def test_admin_actions_need_post(world, client_for) -> None:
    assert client_for(world.admin).get(reverse("org_member_deactivate", args=[world.member.pk])).status_code == 405


def test_other_organisation_ids_are_404_on_admin_actions(world, client_for) -> None:
    client = client_for(world.other)
    assert client.post(reverse("org_member_deactivate", args=[world.member.pk])).status_code == 404
    assert client.post(reverse("org_member_role", args=[world.member.pk]), {"role": "guest"}).status_code == 404
    world.member.refresh_from_db()
    assert world.member.is_active and world.member.role == Role.MEMBER


# --- admin: invitations -----------------------------------------------------------------------


def test_invite_several_people_at_once_and_show_each_link_once(world, client_for) -> None:
    client = client_for(world.admin)
    data = {"emails": "anna@example.com,\nBen@Example.com ; anna@example.com", "role": "member"}
    response = client.post(reverse("org_invitations"), data)
    assert response.status_code == 200
    html = response.content.decode()
    links = re.findall(r'value="(http://testserver/invite/[^"]+)"', html)
    assert len(links) == 2
    assert set(Invitation.objects.values_list("email", flat=True)) == {"anna@example.com", "ben@example.com"}
    assert len(mail.outbox) == 0 or all("invite" in m.body for m in mail.outbox)
    assert "/invite/" not in client.get(reverse("org_invitations")).content.decode()


def test_invitation_email_is_rendered(world, client_for, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.owner).post(reverse("org_invitations"), {"emails": "zoe@example.com", "role": "member"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Olivia Owner invited you to Acme" in message.subject
    assert "http://testserver/invite/" in message.body and "7 days" in message.body


def test_invite_with_a_bad_address_invites_nobody(world, client_for) -> None:
    response = client_for(world.admin).post(
        reverse("org_invitations"), {"emails": "good@example.com, not-an-email", "role": "member"}
    )
    assert response.status_code == 400
    assert "not-an-email" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invite_an_existing_account_is_409_and_invites_nobody(world, client_for) -> None:
    response = client_for(world.admin).post(
        reverse("org_invitations"), {"emails": f"fresh@example.com\n{world.member.email}", "role": "member"}
    )
    assert response.status_code == 409
    assert world.member.email in response.content.decode()
    assert not Invitation.objects.exists()


def test_guest_invitation_needs_a_space(world, client_for) -> None:
    client = client_for(world.admin)
    response = client.post(reverse("org_invitations"), {"emails": "client@example.org", "role": "guest"})
    assert response.status_code == 400
    assert "at least one space for a guest" in response.content.decode()
    assert not Invitation.objects.exists()
    response = client.post(
        reverse("org_invitations"),
        {"emails": "client@example.org", "role": "guest", "spaces": [world.open_space.pk]},
    )
    assert response.status_code == 200
    assert list(Invitation.objects.get().spaces.all()) == [world.open_space]


def test_invitation_spaces_of_another_organisation_are_refused(world, client_for) -> None:
    response = client_for(world.admin).post(
        reverse("org_invitations"),
        {"emails": "client@example.org", "role": "guest", "spaces": [world.other_space.pk]},
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_revoke_invitation(world, client_for) -> None:
    invitation, _link = actions.invite_member(world.admin, email="x@example.com")
    client = client_for(world.admin)
    assert client.post(reverse("org_invitation_revoke", args=[invitation.pk])).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client_for(world.other).post(reverse("org_invitation_revoke", args=[invitation.pk])).status_code == 404
    assert client_for(world.member).post(reverse("org_invitation_revoke", args=[invitation.pk])).status_code == 403


# --- admin: audit, settings -------------------------------------------------------------------


def test_audit_log_uses_human_labels_and_pages(world, client_for) -> None:
    actions.invite_member(world.admin, email="x@example.com")
    response = client_for(world.owner).get(reverse("org_audit"))
    html = response.content.decode()
    assert "invited" in html and "x@example.com" in html and "Adam Admin" in html
    # Stored names are only the action filter's option values, never shown text.
    assert "invitation.create" not in html.split("<tbody>", 1)[1]
    assert 'value="invitation.create">invited</option>' in html
    assert "<time datetime=" in html and 'title="' in html


def test_audit_log_cursor_pagination(world, client_for) -> None:
    for i in range(55):
        AuditEvent.objects.create(organisation=world.org, actor=world.owner, action="org.update", target_label=f"#{i}")
    client = client_for(world.owner)
    first = client.get(reverse("org_audit")).content.decode()
    cursor = re.search(r'href="\?cursor=([^"]+)"', first)
    assert cursor
    second = client.get(reverse("org_audit") + "?cursor=" + cursor.group(1)).content.decode()
    assert "#0<" in second and "#54<" in first
    assert client.get(reverse("org_audit"), {"cursor": "garbage!"}).status_code == 400


def test_other_organisation_audit_is_not_shown(world, client_for) -> None:
    actions.invite_member(world.other, email="secret@globex.example")
    assert "secret@globex.example" not in client_for(world.owner).get(reverse("org_audit")).content.decode()


def test_owner_updates_settings(world, client_for) -> None:
    response = client_for(world.owner).post(
        reverse("org_settings"), {"name": "Acme Corp", "require_mfa_for_admins": "on"}
    )
    assert response.status_code == 302
    world.org.refresh_from_db()
    assert world.org.name == "Acme Corp" and world.org.require_mfa_for_admins


def test_admin_renames_but_cannot_change_mfa(world, client_for) -> None:
    client = client_for(world.admin)
    html = client.get(reverse("org_settings")).content.decode()
    assert re.search(r'name="require_mfa_for_admins"[^>]*disabled', html)
    response = client.post(reverse("org_settings"), {"name": "Acme Two", "require_mfa_for_admins": "on"})
    assert response.status_code == 302
    world.org.refresh_from_db()
    assert world.org.name == "Acme Two" and not world.org.require_mfa_for_admins


def test_empty_organisation_name_is_400(world, client_for) -> None:
    response = client_for(world.owner).post(reverse("org_settings"), {"name": "   "})
    assert response.status_code == 400
    world.org.refresh_from_db()
    assert world.org.name == "Acme"


# --- accepting an invitation ------------------------------------------------------------------


def _invite(world, **kwargs) -> str:
    _invitation, link = actions.invite_member(world.owner, email="newbie@example.com", **kwargs)
    return link.removeprefix("http://testserver")


def test_accept_invitation_creates_account_and_signs_in(world, client) -> None:
    url = _invite(world, spaces=[world.private_space])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Join Acme" in html and "Olivia Owner" in html and "newbie@example.com" in html
    response = client.post(url, {"full_name": "New Bie", "password": "a-long-and-unusual-passphrase-42"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(email="newbie@example.com")
    assert user.full_name == "New Bie" and user.organisation == world.org
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "Client project" in home.content.decode()


def test_accept_with_a_weak_password_is_400_and_creates_nothing(world, client) -> None:
    url = _invite(world)
    response = client.post(url, {"full_name": "New Bie", "password": "12345"})
    assert response.status_code == 400
    assert "id_password_error" in response.content.decode()
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_unknown_invitation_is_404(db, client) -> None:
    response = client.get("/invite/inv_nonsense/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_used_or_expired_invitation_is_409(world, client, client_for) -> None:
    url = _invite(world)
    client.post(url, {"full_name": "New Bie", "password": "a-long-and-unusual-passphrase-42"})
    response = client_for(None).get(url)
    assert response.status_code == 409 and "already used" in response.content.decode()

    invitation, link = actions.invite_member(world.owner, email="late@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client_for(None).get(link.removeprefix("http://testserver"))
    assert response.status_code == 409 and "expired" in response.content.decode()


def test_revoked_invitation_is_404(world, client) -> None:
    invitation, link = actions.invite_member(world.owner, email="gone@example.com")
    actions.revoke_invitation(world.owner, invitation=invitation)
    assert client.get(link.removeprefix("http://testserver")).status_code == 404


def test_signed_in_visitor_is_told_so(world, client_for) -> None:
    url = _invite(world)
    response = client_for(world.member).get(url)
    assert response.status_code == 200
    assert "already signed in" in response.content.decode()
    response = client_for(world.member).post(url, {"full_name": "X", "password": "a-long-and-unusual-passphrase-42"})
    assert not User.objects.filter(email="newbie@example.com").exists()
