"""accounts 0004–0006: every existing user becomes an account with its own sign-in identity, and back."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0003_user_handle")]


def _migrate(targets):
    """Migrate accounts to `targets`; the models as they are then (the other apps stay at their latest)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "accounts"]
    return executor.loader.project_state(targets + others).apps


def _latest():
    return [node for node in MigrationExecutor(connection).loader.graph.leaf_nodes() if node[0] == "accounts"]


@pytest.mark.django_db(transaction=True)
def test_old_users_become_an_identity_and_an_account_with_their_mfa_addresses_and_sessions():
    apps = _migrate(BEFORE)
    Organisation = apps.get_model("orgs", "Organisation")
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    Authenticator = apps.get_model("mfa", "Authenticator")
    UserSession = apps.get_model("usersessions", "UserSession")
    org = Organisation.objects.create(name="Old Co")
    old = User.objects.create(
        email="ada@old.example",
        full_name="Ada",
        handle="ada",
        organisation=org,
        role="admin",
        password=make_password("an-old-password-1"),
        language="fr",
        time_zone="Europe/Paris",
    )
    other = User.objects.create(
        email="bob@old.example", full_name="Bob", handle="bob", organisation=org, password=make_password(None)
    )
    EmailAddress.objects.create(user=old, email="ada@old.example", verified=True, primary=True)
    Authenticator.objects.create(user=old, type="totp", data={"secret": "x"})
    UserSession.objects.create(user=old, session_key="s1", ip="10.0.0.1", user_agent="t")

    try:
        apps = _migrate(_latest())
        User = apps.get_model("accounts", "User")
        account = User.objects.get(pk=old.pk)
        identity = User.objects.get(pk=account.identity_id)
        assert identity.organisation_id is None and identity.login_email == "ada@old.example"
        assert identity.email == "" and identity.last_account_id == account.pk
        assert identity.password == old.password and identity.language == "fr"
        assert account.organisation_id == org.pk and account.email == "ada@old.example" and account.role == "admin"
        assert account.password.startswith("!") and account.login_email is None
        for model in ("account.EmailAddress", "mfa.Authenticator", "usersessions.UserSession"):
            rows = apps.get_model(model).objects.all()
            assert [r.user_id for r in rows] == [identity.pk], model
        assert User.objects.filter(organisation_id=org.pk).count() == 2  # identities are never in an organisation
        assert User.objects.filter(organisation__isnull=True).count() == 2
        assert User.objects.get(pk=other.pk).identity.login_email == "bob@old.example"

        # Backwards: the identity's password and rows go back to the account, the identities go.
        apps = _migrate(BEFORE)
        User = apps.get_model("accounts", "User")
        assert User.objects.count() == 2
        back = User.objects.get(pk=old.pk)
        assert back.password == old.password
        assert apps.get_model("mfa", "Authenticator").objects.get().user_id == old.pk
        assert apps.get_model("account", "EmailAddress").objects.get().user_id == old.pk
    finally:
        _migrate(_latest())
