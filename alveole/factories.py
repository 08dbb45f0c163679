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


class IdentityFactory(factory.django.DjangoModelFactory[User]):
    """A sign-in identity (no organisation): what signs in, with the password and two-factor."""

    class Meta:
        model = User

    login_email = factory.Sequence(lambda n: f"identity{n}@example.com")
    email = ""
    full_name = factory.Faker("name")
    organisation = None
    password = factory.django.Password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory[User]):
    """An account in an organisation, with its identity: the one signing in with the account's address
    (so two accounts with one address in two organisations are one person), or a new one with `password`."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    handle = factory.Sequence(lambda n: f"person{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER
    password = TEST_PASSWORD
    identity = None

    @classmethod
    def _create(cls, model_class: type[User], *args: object, **kwargs: object) -> User:
        password = kwargs.pop("password", TEST_PASSWORD)
        if kwargs.get("identity") is None:
            email = str(kwargs["email"]).lower()
            identity = User.objects.filter(organisation__isnull=True, login_email__iexact=email).first()
            if identity is None:
                identity = IdentityFactory.create(login_email=email, full_name=kwargs.get("full_name", ""))
                if password != TEST_PASSWORD:
                    identity.set_password(password)  # type: ignore[arg-type]
                    identity.save(update_fields=["password"])
            kwargs["identity"] = identity
        account = model_class(**kwargs)
        account.set_unusable_password()
        account.save()
        return account


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
