"""`alveole receive-email`: one message on stdin, from an MTA pipe; the exit code tells the MTA what to do."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from alveole.feed import actions as feed
from alveole.feed.models import Comment
from alveole.mail.addresses import reply_address

from .helpers import email_bytes

FORGED = "reply+7.7.abc123.aaaaaaaaaaaaaaaaaaaaaaaaaa@mail.alveole.test"


def _stdin(data: bytes) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


@pytest.mark.django_db
def test_a_piped_reply_becomes_a_comment(world):
    post, _ = feed.create_post(world.member, space=world.open_space, body="Agenda")
    address = reply_address(world.member.pk, post.pk)
    data = email_bytes(
        sender=world.member.email,
        to="Someone <team@example.com>",
        body="Bonne idée.\n\nLe mar. 3 juin 2025 à 10:12, Alvéole <alveole@localhost> a écrit :\n> ...",
        headers={"Delivered-To": address},
    )
    out = io.StringIO()
    call_command("receive_email", stdin=_stdin(data), stdout=out)
    assert Comment.objects.get(post=post).body == "Bonne idée."
    assert "comment posted" in out.getvalue()


@pytest.mark.django_db
def test_a_piped_message_with_a_forged_address_exits_67(world):
    data = email_bytes(sender=world.member.email, to=FORGED, body="Hi")
    with pytest.raises(CommandError) as refused:
        call_command("receive_email", "--recipient", FORGED, stdin=_stdin(data))
    assert refused.value.returncode == 67 and "altered or never issued" in str(refused.value)


@pytest.mark.django_db
def test_an_empty_reply_exits_65(world):
    post, _ = feed.create_post(world.member, space=world.open_space, body="Agenda")
    address = reply_address(world.member.pk, post.pk)
    data = email_bytes(sender=world.member.email, to=address, body="> only the quote\n")
    with pytest.raises(CommandError) as refused:
        call_command("receive_email", "--recipient", address, stdin=_stdin(data))
    assert refused.value.returncode == 65 and "empty once the quoted message" in str(refused.value)


def test_the_command_line_exits_with_ex_nouser_for_a_forged_address(tmp_path):
    """The real `alveole` program, as an MTA runs it: no database row is needed to refuse a forged token."""
    env = {
        **os.environ,
        "ALVEOLE_VAR_DIR": str(tmp_path),
        "ALVEOLE_MAIL_DOMAIN": "mail.alveole.test",
        "SECRET_KEY": "subprocess-test-secret-" + "y" * 40,
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "alveole.settings",
    }
    data = email_bytes(sender="anna@example.com", to=FORGED, body="Hi")
    program = os.path.join(os.path.dirname(sys.executable), "alveole")
    done = subprocess.run(
        [program, "receive-email", "--recipient", FORGED], input=data, capture_output=True, env=env, timeout=60
    )
    assert done.returncode == 67, done.stderr
    assert b"not valid: it was altered or never issued" in done.stderr
