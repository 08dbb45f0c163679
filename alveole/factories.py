"""factory-boy factories for tests and benchmarks."""

from __future__ import annotations

import factory

from alveole.accounts.models import Role, User
from alveole.orgs.models import Organisation
from alveole.spaces.models import Space, SpaceMembership, SpaceRole, Visibility

TEST_PASSWORD = "correct-horse-battery-9"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Space {n}")
    visibility = Visibility.OPEN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpaceMembership

    space = factory.SubFactory(SpaceFactory)
    user = factory.SubFactory(UserFactory)
    role = SpaceRole.MEMBER
