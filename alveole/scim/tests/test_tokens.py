"""Provisioning tokens: the owners' page, the API and the command; nobody else gets near them."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from alveole.core.secrets import hash_secret
from alveole.scim.actions import authenticate_scim_token, create_scim_token
from alveole.scim.models import ScimToken
from alveole.testing import World


def test_owner_creates_sees_once_and_revokes_on_the_page(world: World, client_for):
    client = client_for(world.owner)
    page = client.get("/admin/settings/scim/")
    assert page.status_code == 200 and b"/scim/v2" in page.content
    created = client.post("/admin/settings/scim/", {"name": "Entra ID"})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    token = ScimToken.objects.get(organisation=world.org)
    secret = created.context["secret"]
    assert secret.startswith("scim_") and token.key_hash == hash_secret(secret)
    assert secret.encode() not in client.get("/admin/settings/scim/").content  # shown once
    assert authenticate_scim_token(secret) == token
    revoked = client.post(f"/admin/settings/scim/{token.pk}/revoke/")
    assert revoked.status_code == 302
    assert authenticate_scim_token(secret) is None


def test_empty_name_is_a_sentence(world: World, client_for):
    response = client_for(world.owner).post("/admin/settings/scim/", {"name": "  "})
    assert response.status_code == 400 and not ScimToken.objects.exists()


@pytest.mark.parametrize("role", ["admin", "member", "guest"])
def test_the_page_is_for_owners_only(world: World, client_for, role: str):
    assert client_for(world.user(role)).get("/admin/settings/scim/").status_code == 403


def test_another_organisation_cannot_revoke(world: World, client_for):
    token, _secret = create_scim_token(world.owner, name="Entra ID")
    assert client_for(world.other).post(f"/admin/settings/scim/{token.pk}/revoke/").status_code in (403, 404)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_api_for_owners(world: World, api_client_for):
    api = api_client_for(world.owner)
    created = api.post("/api/v1/scim-tokens", {"name": "Keycloak"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("scim_") and body["base_url"].endswith("/scim/v2")
    listed = api.get("/api/v1/scim-tokens").json()
    assert [t["name"] for t in listed] == ["Keycloak"] and "secret" not in listed[0]
    assert api.delete(f"/api/v1/scim-tokens/{body['token']['id']}").status_code == 204
    assert api.get("/api/v1/scim-tokens").json()[0]["revoked_at"] is not None


@pytest.mark.parametrize("role", ["admin", "member", "guest"])
def test_api_refuses_non_owners(world: World, api_client_for, role: str):
    api = api_client_for(world.user(role))
    assert api.get("/api/v1/scim-tokens").status_code == 403
    assert api.post("/api/v1/scim-tokens", {"name": "x"}, content_type="application/json").status_code == 403


def test_api_of_another_organisation_answers_404(world: World, api_client_for):
    token, _secret = create_scim_token(world.owner, name="Entra ID")
    assert api_client_for(world.other).delete(f"/api/v1/scim-tokens/{token.pk}").status_code == 404
    assert api_client_for(None).get("/api/v1/scim-tokens").status_code == 401


def test_command_prints_a_working_token(world: World):
    out, err = io.StringIO(), io.StringIO()
    call_command("scimtoken", "create", "--organisation", "acme", "--name", "Google", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    token = authenticate_scim_token(secret)
    assert token is not None and token.organisation == world.org and token.created_by == world.owner
    assert "/scim/v2" in err.getvalue()
    with pytest.raises(CommandError, match="No organisation"):
        call_command("scimtoken", "create", "--organisation", "Nowhere", stdout=out)
