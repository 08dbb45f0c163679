"""Two-factor requirement for admins, and the language a person sees."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from alveole.orgs.actions import update_organisation

pytestmark = pytest.mark.django_db


def test_admins_must_set_up_two_factor_when_the_organisation_requires_it(world, client_for, api_client_for):
    update_organisation(world.owner, require_mfa_for_admins=True)
    admin = client_for(world.admin)
    response = admin.get("/spaces/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate" in response["Location"]
    # Account pages stay reachable so the admin can comply (allauth asks for the password first).
    activate = admin.get("/accounts/2fa/totp/activate/")
    assert activate.status_code == 200 or activate["Location"].startswith("/accounts/reauthenticate/")
    assert admin.get("/accounts/reauthenticate/").status_code == 200
    # Members are not concerned.
    assert client_for(world.member).get("/api/v1/me").status_code == 200


def test_an_admin_with_totp_passes(world, client_for):
    update_organisation(world.owner, require_mfa_for_admins=True)
    Authenticator.objects.create(user=world.admin.identity, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client_for(world.admin).get("/api/v1/me").status_code == 200


def test_only_owners_change_the_requirement(world):
    from alveole.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        update_organisation(world.admin, require_mfa_for_admins=True)


def test_the_browser_language_applies_when_the_person_chose_none(client):
    response = client.get("/accounts/login/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert response["Content-Language"] == "fr"


def test_the_persons_language_wins_over_the_browser(world, client_for):
    world.member.language = "fr"
    world.member.save()
    response = client_for(world.member).get("/accounts/login/", headers={"Accept-Language": "en"})
    assert response["Content-Language"] == "fr"
