"""Sign-in: Argon2, the password policy, the failure limit, and the audit trail."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from alveole.core.models import AuditEvent
from alveole.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client: Client, email: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_production_hashes_passwords_with_argon2():
    from alveole import settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize("password", ["short-pw", "password1234", "12345678901234"])
def test_password_policy_refuses_weak_passwords(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_password_policy_accepts_a_long_uncommon_password():
    validate_password("amber-hive-on-the-hill")


def test_sign_in_succeeds_and_is_audited(world):
    client = Client()
    response = attempt(client, world.member.email, TEST_PASSWORD, ip="10.1.2.3")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login.success")
    assert event.actor == world.member and event.organisation == world.org and event.ip == "10.1.2.3"


def test_failed_sign_in_is_audited_in_the_right_organisation(world):
    attempt(Client(), world.member.email, "wrong-password")
    event = AuditEvent.objects.get(action="login.failure")
    assert event.organisation == world.org and event.target_id == world.member.pk


@pytest.mark.parametrize("known", [True, False], ids=["known-email", "unknown-email"])
def test_five_failures_lock_the_account_with_retry_after(world, known):
    email = world.member.email if known else "nobody@example.com"
    client = Client()
    for n in range(settings.ALVEOLE_LOGIN_FAILURES_PER_ACCOUNT):
        # A different IP each time so only the per-account limit applies.
        assert attempt(client, email, "wrong-password", ip=f"10.0.1.{n}").status_code == 200
    response = attempt(client, email, TEST_PASSWORD, ip="10.0.2.1")
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= settings.ALVEOLE_LOGIN_FAILURE_WINDOW
    assert b"Too many failed sign-in attempts" in response.content
    # The correct password does not get through while locked.
    assert "_auth_user_id" not in client.session


def test_known_and_unknown_emails_get_the_same_answers(world):
    answers: list[tuple[int, bool]] = []
    for email in (world.member.email, "ghost@example.com"):
        first = attempt(Client(), email, "wrong-password", ip=f"10.9.{len(answers)}.1")
        answers.append((first.status_code, b"not correct" in first.content))
    assert answers[0] == answers[1]


def test_five_failures_from_one_ip_block_that_ip(world):
    for n in range(settings.ALVEOLE_LOGIN_FAILURES_PER_IP):
        attempt(Client(), f"someone{n}@example.com", "wrong-password", ip="10.7.7.7")
    assert attempt(Client(), world.member.email, TEST_PASSWORD, ip="10.7.7.7").status_code == 429
    assert attempt(Client(), world.member.email, TEST_PASSWORD, ip="10.7.7.8").status_code == 302


@override_settings(ALVEOLE_LOGIN_FAILURE_WINDOW=1)
def test_the_lock_expires_after_the_window(world):
    import time

    for n in range(5):
        attempt(Client(), world.member.email, "wrong-password", ip=f"10.0.3.{n}")
    assert attempt(Client(), world.member.email, TEST_PASSWORD, ip="10.0.4.1").status_code == 429
    time.sleep(2.1)
    assert attempt(Client(), world.member.email, TEST_PASSWORD, ip="10.0.4.2").status_code == 302


def test_there_is_no_public_sign_up(client):
    response = client.get("/accounts/signup/")
    assert response.status_code in (200, 403)
    assert b"password1" not in response.content
