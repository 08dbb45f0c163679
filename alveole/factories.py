"""factory-boy factories for tests and benchmarks."""

from __future__ import annotations

import factory

from alveole.accounts.models import Role, User
from alveole.orgs.models import Organisation
from alveole.spaces.models import Space, SpaceMembership, SpaceRole, Visibility

TEST_PASSWORD = "correct-horse-battery-9"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    handle = factory.Sequence(lambda n: f"person{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER
    password = factory.django.Password(TEST_PASSWORD)


class SpaceFactory(factory.django.DjangoModelFactory[Space]):
    class Meta:
        model = Space

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Space {n}")
    visibility = Visibility.OPEN


class MembershipFactory(factory.django.DjangoModelFactory[SpaceMembership]):
    class Meta:
        model = SpaceMembership

    space = factory.SubFactory(SpaceFactory)
    user = factory.SubFactory(UserFactory)
    role = SpaceRole.MEMBER
