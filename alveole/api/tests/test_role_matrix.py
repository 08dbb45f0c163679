"""Every API endpoint through every role: owner, admin, member, non-member, guest,
a user of another organisation, and anonymous.

Denied reads answer 404, exactly like a missing id. A new endpoint without a row
here fails `test_every_endpoint_is_in_the_matrix`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest

from alveole.accounts.actions import create_token
from alveole.api.api import api
from alveole.orgs.actions import invite_member
from alveole.testing import ROLES, World

pytestmark = pytest.mark.django_db

OK, CREATED, GONE = 200, 201, 204
ALL_SIGNED_IN = {"owner", "admin", "member", "nonmember", "guest", "other"}


@dataclass
class Case:
    method: str
    path: str  # formatted with the ids of `world`
    allowed: dict[str, int]  # role -> expected status; roles not listed get `denied`
    body: dict | None = None
    denied: int = 404
    overrides: dict[str, int] = field(default_factory=dict)

    def expected(self, role: str) -> int:
        if role == "anonymous":
            return 401
        if role in self.overrides:
            return self.overrides[role]
        return self.allowed.get(role, self.denied)


def every(status: int, roles: set[str] = ALL_SIGNED_IN) -> dict[str, int]:
    return dict.fromkeys(roles, status)


ORG_ADMINS = {"owner", "admin", "other"}  # `other` is the owner of organisation B
CASES = [
    Case("GET", "/me", every(OK)),
    Case("PATCH", "/me", every(OK), body={"title": "Head of things"}),
    Case("GET", "/tokens", every(OK)),
    Case("POST", "/tokens", every(CREATED), body={"name": "laptop"}),
    Case("DELETE", "/tokens/{owner_token}", {"owner": GONE}),
    Case("GET", "/organisation", every(OK)),
    Case("PATCH", "/organisation", every(OK, ORG_ADMINS), body={"name": "Renamed"}, denied=403),
    Case("GET", "/members", every(OK)),
    Case("GET", "/members/{member}", every(OK, {"owner", "admin", "member", "nonmember", "guest"})),
    Case("GET", "/members/{nonmember}", every(OK, {"owner", "admin", "member", "nonmember"})),
    Case(
        "PATCH",
        "/members/{nonmember}",
        every(OK, {"owner", "admin"}),
        body={"role": "admin"},
        overrides={"member": 403, "nonmember": 403},
    ),
    Case(
        "POST",
        "/members/{nonmember}/deactivate",
        every(OK, {"owner", "admin"}),
        overrides={"member": 403, "nonmember": 403},
    ),
    Case(
        "POST",
        "/members/{nonmember}/reactivate",
        every(OK, {"owner", "admin"}),
        overrides={"member": 403, "nonmember": 403},
    ),
    Case("GET", "/invitations", every(OK, ORG_ADMINS), denied=403),
    Case("POST", "/invitations", every(CREATED, ORG_ADMINS), body={"email": "new@example.org"}, denied=403),
    Case("DELETE", "/invitations/{invitation}", every(GONE, {"owner", "admin"})),
    Case("GET", "/audit", every(OK, ORG_ADMINS), denied=403),
    Case("GET", "/spaces", every(OK)),
    Case("POST", "/spaces", every(CREATED, ALL_SIGNED_IN - {"guest"}), body={"name": "New"}, overrides={"guest": 403}),
    Case("GET", "/spaces/{open_space}", every(OK, {"owner", "admin", "member", "nonmember"})),
    Case("GET", "/spaces/{private_space}", every(OK, {"owner", "member", "guest"})),
    Case(
        "PATCH",
        "/spaces/{open_space}",
        every(OK, {"owner", "admin"}),
        body={"description": "x"},
        overrides={"member": 403, "nonmember": 403},
    ),
    Case(
        "PATCH",
        "/spaces/{private_space}",
        {"owner": OK},
        body={"description": "x"},
        overrides={"member": 403, "guest": 403},
    ),
    Case("POST", "/spaces/{private_space}/archive", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case("POST", "/spaces/{private_space}/unarchive", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case("POST", "/spaces/{open_space}/join", every(OK, {"owner", "admin", "member", "nonmember"})),
    Case("POST", "/spaces/{private_space}/join", every(OK, {"owner", "member", "guest"})),
    Case("POST", "/spaces/{private_space}/leave", {"member": GONE, "guest": GONE}, overrides={"owner": 409}),
    Case("GET", "/spaces/{private_space}/members", every(OK, {"owner", "member", "guest"})),
    Case(
        "POST",
        "/spaces/{private_space}/members",
        {"owner": CREATED},
        body={"user_id": "{nonmember}"},
        overrides={"member": 403},
    ),
    Case(
        "PATCH",
        "/spaces/{private_space}/members/{member}",
        {"owner": OK},
        body={"role": "manager"},
        overrides={"member": 403, "guest": 403},
    ),
    Case(
        "DELETE", "/spaces/{private_space}/members/{member}", {"owner": GONE}, overrides={"member": 403, "guest": 403}
    ),
]


def ids_of(world: World) -> dict[str, int]:
    token, _secret = create_token(world.owner, name="matrix")
    invitation, _link = invite_member(world.owner, email="invitee@example.org")
    return {
        "member": world.member.pk,
        "nonmember": world.nonmember.pk,
        "open_space": world.open_space.pk,
        "private_space": world.private_space.pk,
        "owner_token": token.pk,
        "invitation": invitation.pk,
    }


def _fill(value: object, ids: dict[str, int]) -> object:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_role_matrix(case: Case, role: str, world: World, api_client_for) -> None:
    ids = ids_of(world)
    client = api_client_for(world.user(role))
    body = {k: _fill(v, ids) for k, v in (case.body or {}).items()}
    response = client.generic(
        case.method,
        "/api/v1" + case.path.format(**ids),
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == case.expected(role), response.content
    if response.status_code >= 400:
        payload = response.json()
        assert set(payload) == {"code", "message", "fields"}
        assert payload["message"]


def test_every_endpoint_is_in_the_matrix() -> None:
    schema = api.get_openapi_schema()
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    covered = {(c.method, _generic(c.path)) for c in CASES}
    missing = {(m, p) for m, p in documented if (m, _generic(p)) not in covered}
    assert not missing, f"endpoints without a role-matrix row: {sorted(missing)}"


def _generic(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)
