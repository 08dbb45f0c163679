"""Every existing user becomes an account with a sign-in identity of its own.

The identity takes what signing in needs: the address (as `login_email`), the password, the last
sign-in, superuser status, name, language and time zone; the account's password becomes unusable, so
sessions made before this migration end (their hash no longer matches) and people sign in once again.
The account's email addresses, two-factor authenticators and tracked sessions move to the identity.

Reversible: each identity's password, addresses, authenticators and sessions go back to its oldest
account, and the identities are deleted (refused if one address is used in two organisations by then,
since `email` becomes unique again).
"""

from django.contrib.auth.hashers import make_password
from django.db import migrations


def split(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    Authenticator = apps.get_model("mfa", "Authenticator")
    UserSession = apps.get_model("usersessions", "UserSession")
    for account in User.objects.filter(organisation__isnull=False, identity__isnull=True).order_by("pk"):
        identity = User.objects.create(
            login_email=account.email.lower(),
            email="",
            password=account.password,
            last_login=account.last_login,
            is_superuser=account.is_superuser,
            full_name=account.full_name,
            language=account.language,
            time_zone=account.time_zone,
            date_joined=account.date_joined,
            last_account_id=account.pk,
        )
        User.objects.filter(pk=account.pk).update(identity=identity, password=make_password(None), is_superuser=False)
        EmailAddress.objects.filter(user_id=account.pk).update(user_id=identity.pk)
        Authenticator.objects.filter(user_id=account.pk).update(user_id=identity.pk)
        UserSession.objects.filter(user_id=account.pk).update(user_id=identity.pk)


def merge(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    Authenticator = apps.get_model("mfa", "Authenticator")
    UserSession = apps.get_model("usersessions", "UserSession")
    for identity in User.objects.filter(organisation__isnull=True).order_by("pk"):
        account = User.objects.filter(identity_id=identity.pk).order_by("pk").first()
        if account is not None:
            User.objects.filter(pk=account.pk).update(
                password=identity.password, last_login=identity.last_login, is_superuser=identity.is_superuser
            )
            EmailAddress.objects.filter(user_id=identity.pk).update(user_id=account.pk)
            Authenticator.objects.filter(user_id=identity.pk).update(user_id=account.pk)
            UserSession.objects.filter(user_id=identity.pk).update(user_id=account.pk)
        else:
            EmailAddress.objects.filter(user_id=identity.pk).delete()
            Authenticator.objects.filter(user_id=identity.pk).delete()
            UserSession.objects.filter(user_id=identity.pk).delete()
        User.objects.filter(last_account_id__isnull=False).filter(pk=identity.pk).update(last_account=None)
        User.objects.filter(identity_id=identity.pk).update(identity=None)
        identity.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_identity_split"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("usersessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(split, merge)]
