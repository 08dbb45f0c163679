"""/api/v1/sso/providers: owners only, the client secret never comes back, other organisations' ids answer 404."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def body(issuer: str, **changes) -> str:
    return json.dumps(
        {
            "protocol": "oidc",
            "display_name": "Acme",
            "allowed_domains": ["acme.test"],
            "issuer": issuer,
            "client_id": "alveole",
            "client_secret": "alveole-secret",
            "role_claim": "groups",
            "role_map": {"admins": "admin"},
            "extra_scopes": ["alveole"],
            **changes,
        }
    )


@override_settings(ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS=True)
def test_owner_sets_up_reads_changes_and_removes(world, api_client_for, oidc_idp):
    api = api_client_for(world.owner)
    assert api.get("/api/v1/sso/providers").json() == []
    created = api.post("/api/v1/sso/providers", body(oidc_idp.url), content_type="application/json")
    assert created.status_code == 201, created.content
    out = created.json()
    assert "alveole-secret" not in created.content.decode()
    assert out["has_client_secret"] is True and out["extra_scopes"] == ["alveole"]
    assert out["urls"]["redirect_uri"].endswith(
        f"/accounts/oidc/{out['urls']['redirect_uri'].split('/')[-4]}/login/callback/"
    )
    again = api.post("/api/v1/sso/providers", body(oidc_idp.url), content_type="application/json")
    assert again.status_code == 409
    changed = api.put(
        f"/api/v1/sso/providers/{out['id']}",
        body(oidc_idp.url, client_secret="", display_name="Acme SSO"),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["display_name"] == "Acme SSO"
    assert api.get("/api/v1/sso/providers").json()[0]["has_client_secret"] is True
    assert api_client_for(world.other).get(f"/api/v1/sso/providers/{out['id']}").status_code == 404
    assert api.delete(f"/api/v1/sso/providers/{out['id']}").status_code == 204
    assert api.get("/api/v1/sso/providers").json() == []


@pytest.mark.parametrize("role", ["admin", "member", "guest"])
def test_only_owners(world, api_client_for, role):
    answer = api_client_for(world.user(role)).get("/api/v1/sso/providers")
    assert answer.status_code == 403
    assert "owners" in answer.json()["message"]


def test_bad_input_is_a_sentence(world, api_client_for):
    api = api_client_for(world.owner)
    answer = api.post(
        "/api/v1/sso/providers", body("http://10.1.2.3", allowed_domains=["x"]), content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["fields"]
