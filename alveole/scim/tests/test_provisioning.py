"""What provisioning does to Alvéole, through the real /scim/v2 endpoint: accounts, deactivation,
spaces and memberships, and the walls between organisations."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from alveole.accounts.actions import create_token
from alveole.accounts.models import AccessToken, User
from alveole.core.errors import PermissionDenied
from alveole.orgs.actions import deactivate_member
from alveole.scim.actions import create_scim_token, revoke_scim_token
from alveole.scim.models import ScimResource
from alveole.spaces.models import SpaceMembership, Visibility
from alveole.testing import World

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    def __init__(self, secret: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {secret}"})

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        response = getattr(self.client, method)(
            f"/scim/v2{path}", data=json.dumps(body) if body else None, content_type="application/scim+json"
        )
        return response.status_code, (response.json() if response.content else {})


@pytest.fixture
def scim(world: World) -> Scim:
    return Scim(create_scim_token(world.owner, name="Entra ID")[1])


def new_user(scim: Scim, email: str, **extra: Any) -> dict[str, Any]:
    body = {"schemas": [USER], "userName": email, "name": {"formatted": "Zoé Provisioned"}, **extra}
    status, doc = scim.call("post", "/Users", body)
    assert status == 201, doc
    return doc


def test_no_token_no_answer(world: World):
    assert Client().get("/scim/v2/Users").status_code == 401
    bad = Scim("scim_not-a-token").client.get("/scim/v2/Users")
    assert bad.status_code == 401 and "Bearer" in bad["WWW-Authenticate"]
    # The service provider configuration is public (RFC 7643 §5).
    assert Client().get("/scim/v2/ServiceProviderConfig").status_code == 200


def test_revoked_token_is_refused(world: World):
    token, secret = create_scim_token(world.owner, name="Keycloak")
    assert Scim(secret).call("get", "/Users")[0] == 200
    revoke_scim_token(world.owner, token=token)
    assert Scim(secret).call("get", "/Users")[0] == 401


def test_a_token_dies_with_its_owners_rights(world: World):
    _token, secret = create_scim_token(world.owner, name="Google")
    User.objects.filter(pk=world.owner.pk).update(role="admin")
    assert Scim(secret).call("get", "/Users")[0] == 401


def test_only_owners_create_tokens(world: World):
    with pytest.raises(PermissionDenied):
        create_scim_token(world.admin, name="Entra ID")


def test_create_user_opens_an_account_in_the_token_organisation(world: World, scim: Scim):
    doc = new_user(scim, "zoe@example.com", title="Buyer", preferredLanguage="fr-FR", timezone="Europe/Paris")
    account = User.objects.get(organisation=world.org, email="zoe@example.com")
    assert (account.full_name, account.title, account.language, account.time_zone) == (
        "Zoé Provisioned",
        "Buyer",
        "fr",
        "Europe/Paris",
    )
    assert account.identity is not None and account.identity.login_email == "zoe@example.com"
    assert ScimResource.objects.get(scim_id=doc["id"]).account == account
    # userName is unique in the organisation, whatever its case.
    assert scim.call("post", "/Users", {"schemas": [USER], "userName": "ZOE@example.com"})[0] == 409


def test_an_address_used_in_another_organisation_answers_as_a_new_one(world: World, scim: Scim):
    status, doc = scim.call("post", "/Users", {"schemas": [USER], "userName": world.other.email})
    assert status == 201 and "Globex" not in json.dumps(doc)
    account = User.objects.get(organisation=world.org, email=world.other.email)
    assert account.identity_id == world.other.identity_id  # one person, two organisations
    assert world.other.organisation_id != account.organisation_id


def test_an_existing_member_is_adopted_not_duplicated(world: World, scim: Scim):
    new_user(scim, world.member.email)
    assert User.objects.filter(organisation=world.org, email=world.member.email).count() == 1
    assert ScimResource.objects.get(account=world.member).deleted_at is None


def test_active_false_deactivates_and_ends_tokens(world: World, scim: Scim):
    doc = new_user(scim, world.member.email)
    create_token(world.member, name="CI")
    body: dict[str, Any] = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
    assert scim.call("patch", f"/Users/{doc['id']}", body)[0] in (200, 204)
    assert scim.call("get", f"/Users/{doc['id']}")[1]["active"] is False
    world.member.refresh_from_db()
    assert not world.member.is_active
    assert not AccessToken.objects.filter(user=world.member, revoked_at__isnull=True).exists()
    body["Operations"][0]["value"] = True
    assert scim.call("patch", f"/Users/{doc['id']}", body)[0] in (200, 204)
    world.member.refresh_from_db()
    assert world.member.is_active


def test_delete_deactivates_and_keeps_the_account(world: World, scim: Scim):
    doc = new_user(scim, "leaver@example.com")
    assert scim.call("delete", f"/Users/{doc['id']}")[0] == 204
    assert scim.call("get", f"/Users/{doc['id']}")[0] == 404
    account = User.objects.get(organisation=world.org, email="leaver@example.com")
    assert not account.is_active
    # Provisioned again: the same account comes back.
    again = new_user(scim, "leaver@example.com")
    account.refresh_from_db()
    assert account.is_active and ScimResource.objects.get(scim_id=again["id"]).account == account


def test_groups_are_private_spaces_of_provisioned_members(world: World, scim: Scim):
    zoe = new_user(scim, "zoe@example.com")
    other_org = Scim(create_scim_token(world.other, name="Globex IdP")[1])
    stranger = new_user(other_org, "stranger@example.com")
    body = {"schemas": [GROUP], "displayName": "Buyers", "members": [{"value": zoe["id"]}, {"value": stranger["id"]}]}
    status, group = scim.call("post", "/Groups", body)
    assert status == 201, group
    space = ScimResource.objects.get(scim_id=group["id"]).space
    assert space is not None and space.visibility == Visibility.PRIVATE and space.organisation == world.org
    members = set(SpaceMembership.objects.filter(space=space).values_list("user__email", flat=True))
    assert members == {"zoe@example.com", world.owner.email}  # never the other organisation's account
    patch = {"schemas": [PATCH], "Operations": [{"op": "remove", "path": f'members[value eq "{zoe["id"]}"]'}]}
    assert scim.call("patch", f"/Groups/{group['id']}", patch)[0] in (200, 204)
    assert not SpaceMembership.objects.filter(space=space, user__email="zoe@example.com").exists()
    assert scim.call("delete", f"/Groups/{group['id']}")[0] == 204
    space.refresh_from_db()
    assert space.is_archived


def test_another_organisation_cannot_reach_a_resource(world: World, scim: Scim):
    doc = new_user(scim, "zoe@example.com")
    other_org = Scim(create_scim_token(world.other, name="Globex IdP")[1])
    assert other_org.call("get", f"/Users/{doc['id']}")[0] == 404
    assert other_org.call("delete", f"/Users/{doc['id']}")[0] == 404
    assert other_org.call("get", "/Users?filter=userName%20eq%20%22zoe@example.com%22")[1]["totalResults"] == 0


def test_bad_input_is_a_scim_error_not_a_500(world: World, scim: Scim):
    response = scim.client.post("/scim/v2/Users", data=b"{not json", content_type="application/scim+json")
    assert response.status_code == 400
    assert scim.call("get", "/Users/not-a-uuid")[0] == 404
    assert scim.call("post", "/Bulk", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]})[0] == 501


def test_a_profile_patch_does_not_undo_an_admins_deactivation(world: World, scim: Scim):
    """Deactivated in Alvéole, then renamed by the provider: the account stays deactivated (the provider
    sees `active: false`, and only a change of `active` it sends reactivates)."""
    doc = new_user(scim, world.member.email, active=True)
    deactivate_member(world.owner, member=world.member)
    assert scim.call("get", f"/Users/{doc['id']}")[1]["active"] is False
    rename = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "Lead buyer"}]}
    assert scim.call("patch", f"/Users/{doc['id']}", rename)[0] in (200, 204)
    world.member.refresh_from_db()
    assert not world.member.is_active and world.member.title == "Lead buyer"
