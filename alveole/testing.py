"""pytest plugin: service checks, the role world, and authenticated clients.

With ALVEOLE_TEST_REQUIRE_SERVICES=1 (the PostgreSQL + Redis run of CI), a test
that needs a service fails instead of skipping when the service is missing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from alveole.accounts.actions import create_token
from alveole.accounts.identity import SESSION_KEY, identity_of
from alveole.accounts.models import Role, User
from alveole.factories import MembershipFactory, OrganisationFactory, SpaceFactory, UserFactory
from alveole.orgs.models import Organisation
from alveole.spaces.models import Space, SpaceRole, Visibility

REQUIRE_SERVICES = os.environ.get("ALVEOLE_TEST_REQUIRE_SERVICES") == "1"


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_SERVICES:
        missing = [v for v in ("ALVEOLE_TEST_DATABASE_URL", "ALVEOLE_TEST_REDIS_URL") if not os.environ.get(v)]
        if missing:
            raise pytest.UsageError(f"ALVEOLE_TEST_REQUIRE_SERVICES=1 but {', '.join(missing)} is not set.")


def _service_missing(name: str, why: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required in this run but {why}.")
    pytest.skip(f"{name} not available: {why} (set ALVEOLE_TEST_{name.upper()}_URL)")


@pytest.fixture
def redis_url() -> str:
    """A reachable Redis URL, or skip (fail when services are required)."""
    url = os.environ.get("ALVEOLE_TEST_REDIS_URL", "")
    if not url:
        _service_missing("redis", "ALVEOLE_TEST_REDIS_URL is not set")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        _service_missing("redis", f"it does not answer at {url} ({exc})")
    finally:
        client.close()
    return url


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    cache.clear()


@dataclass
class World:
    """Two organisations and one person per role.

    In organisation A: `open_space` (open team) and `private_space` (private project).
    owner manages both; admin is in neither; member is in both; nonmember is a plain
    member in neither; guest is only in private_space. `other` belongs to
    organisation B and is in `other_space`.
    """

    org: Organisation
    owner: User
    admin: User
    member: User
    nonmember: User
    guest: User
    open_space: Space
    private_space: Space
    other_org: Organisation
    other: User
    other_space: Space

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


ROLES = ["owner", "admin", "member", "nonmember", "guest", "other", "anonymous"]


@pytest.fixture
def world(db: None) -> World:
    org = OrganisationFactory.create(name="Acme")
    owner = UserFactory.create(organisation=org, role=Role.OWNER, full_name="Olivia Owner")
    admin = UserFactory.create(organisation=org, role=Role.ADMIN, full_name="Adam Admin")
    member = UserFactory.create(organisation=org, role=Role.MEMBER, full_name="Mia Member")
    nonmember = UserFactory.create(organisation=org, role=Role.MEMBER, full_name="Noah Nonmember")
    guest = UserFactory.create(organisation=org, role=Role.GUEST, full_name="Gina Guest")
    open_space = SpaceFactory.create(organisation=org, name="Everyone", visibility=Visibility.OPEN)
    private_space = SpaceFactory.create(organisation=org, name="Client project", visibility=Visibility.PRIVATE)
    for space in (open_space, private_space):
        MembershipFactory.create(space=space, user=owner, role=SpaceRole.MANAGER)
        MembershipFactory.create(space=space, user=member)
    MembershipFactory.create(space=private_space, user=guest)
    other_org = OrganisationFactory.create(name="Globex")
    other = UserFactory.create(organisation=other_org, role=Role.OWNER, full_name="Oscar Other")
    other_space = SpaceFactory.create(organisation=other_org, name="Globex team", visibility=Visibility.OPEN)
    MembershipFactory.create(space=other_space, user=other, role=SpaceRole.MANAGER)
    return World(org, owner, admin, member, nonmember, guest, open_space, private_space, other_org, other, other_space)


def sign_in(client: Client, account: User) -> None:
    """Sign `client` in as `account`'s identity, with `account` the active account (as after sign-in)."""
    client.force_login(identity_of(account))
    session = client.session
    session[SESSION_KEY] = account.pk
    session.save()


@pytest.fixture
def client_for(db: None):
    """client_for(user) -> a Django test client signed in as `user` (None: anonymous)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            sign_in(client, user)
        return client

    return make


@pytest.fixture
def api_client_for(db: None):
    """api_client_for(user) -> a client sending a personal access token (None: anonymous)."""

    def make(user: User | None) -> Client:
        if user is None:
            return Client()
        _token, secret = create_token(user, name="tests")
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return make


# The role matrices' person in two organisations (issue 13).
PERSON_IN_A_AND_B = "person_in_A_and_B"


def person_in_a_and_b(world: World) -> tuple[Client, User]:
    """One identity with two accounts: `world.member` in A and a guest account in B (in `other_space`).

    Returns a browser session of that identity with A open (B used last before it), and B's account.
    Seen from A it must get exactly what `world.member` gets; nothing of B."""
    in_b = UserFactory.create(
        organisation=world.other_org, email=world.member.email, full_name=world.member.full_name, role=Role.GUEST
    )
    assert in_b.identity_id == world.member.identity_id
    MembershipFactory.create(space=world.other_space, user=in_b)
    User.objects.filter(pk=identity_of(in_b).pk).update(last_account=in_b)
    client = Client()
    sign_in(client, world.member)
    return client, in_b
