"""The organisation switcher: one person's own active accounts only, a POST with CSRF, a new session key."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alveole.accounts.identity import SESSION_KEY
from alveole.factories import UserFactory
from alveole.orgs import actions as org_actions
from alveole.testing import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(world):
    """One person: a member account in Acme (A) and a guest account in Globex (B)."""
    in_a = UserFactory.create(organisation=world.org, email="both@example.net", full_name="Bo Th")
    in_b = UserFactory.create(organisation=world.other_org, email="both@example.net", full_name="Bo Th", role="guest")
    return in_a, in_b


def test_the_header_lists_the_persons_own_organisations_from_two_on(world, both, client_for) -> None:
    in_a, in_b = both
    html = client_for(in_a).get(reverse("home")).content.decode()
    assert "Switch organisation" in html
    assert reverse("switch_account", args=[in_b.pk]) in html and "Globex" in html
    # Someone in one organisation has no switcher; nobody else's organisations are listed anywhere.
    alone = client_for(world.member).get(reverse("home")).content.decode()
    assert "Switch organisation" not in alone and "Globex" not in alone
    for viewer in (world.owner, world.admin, world.member):
        people = client_for(viewer).get(reverse("people")).content.decode()
        assert "Globex" not in people


def test_switching_opens_the_other_account_with_a_new_session_key(both) -> None:
    in_a, in_b = both
    client = Client(enforce_csrf_checks=True)
    sign_in(client, in_a)
    home = client.get(reverse("home"))
    token = home.cookies["csrftoken"].value if "csrftoken" in home.cookies else client.cookies["csrftoken"].value
    before = client.session.session_key
    # Without the CSRF token: refused.
    assert client.post(reverse("switch_account", args=[in_b.pk])).status_code == 403
    response = client.post(reverse("switch_account", args=[in_b.pk]), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == in_b.pk and client.session.session_key != before
    html = client.get(reverse("home")).content.decode()
    assert "You are now in Globex." in html
    in_a.identity.refresh_from_db()
    assert in_a.identity.last_account_id == in_b.pk


def test_switching_to_someone_elses_or_a_deactivated_account_is_404(world, both, client_for) -> None:
    in_a, in_b = both
    client = client_for(in_a)
    for stranger in (world.other, world.member, world.admin):
        assert client.post(reverse("switch_account", args=[stranger.pk])).status_code == 404
    assert client.post(reverse("switch_account", args=[999999])).status_code == 404
    org_actions.deactivate_member(world.other, member=in_b)
    assert client.post(reverse("switch_account", args=[in_b.pk])).status_code == 404
    assert client.session[SESSION_KEY] == in_a.pk
    assert client.get(reverse("switch_account", args=[in_a.pk])).status_code == 405


def test_switching_into_an_organisation_that_requires_two_factor_needs_it_in_this_session(world, client_for) -> None:
    from allauth.mfa.models import Authenticator

    in_a = UserFactory.create(organisation=world.org, email="lead@example.net", full_name="Lee D")
    in_b = UserFactory.create(organisation=world.other_org, email="lead@example.net", full_name="Lee D", role="admin")
    world.other_org.require_mfa_for_admins = True
    world.other_org.save()
    Authenticator.objects.create(user=in_a.identity, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = client_for(in_a)
    response = client.post(reverse("switch_account", args=[in_b.pk]))
    assert response.status_code == 403 and "requires two-factor" in response.content.decode()
    assert client.session[SESSION_KEY] == in_a.pk


def test_your_organisations_page_lists_each_with_the_role(both, client_for) -> None:
    in_a, _in_b = both
    html = client_for(in_a).get(reverse("organisations")).content.decode()
    assert "Acme" in html and "Globex" in html and "Member" in html and "Guest" in html
    assert "Open now" in html


def test_an_emails_settings_link_offers_that_organisations_settings(world, both, client_for) -> None:
    in_a, in_b = both
    client = client_for(in_a)
    page = client.get(f"/notifications/settings/?account={in_b.pk}").content.decode()
    assert "The email you came from is from Globex; these settings are for Acme." in page
    switched = client.post(reverse("switch_account", args=[in_b.pk]), {"next": "/notifications/settings/"})
    assert switched["Location"] == "/notifications/settings/"
    assert client.session[SESSION_KEY] == in_b.pk
    # Someone else's account id, or the open one, shows nothing of the kind.
    for account_id in (world.other.pk, in_b.pk):
        assert (
            "The email you came from"
            not in client.get(f"/notifications/settings/?account={account_id}").content.decode()
        )
