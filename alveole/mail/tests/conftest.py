from __future__ import annotations

import datetime
import socket

import pytest

from alveole.notifications import actions as notification_actions

MAIL_DOMAIN = "mail.alveole.test"


@pytest.fixture(autouse=True)
def _mail_domain(settings):
    settings.ALVEOLE_MAIL_DOMAIN = MAIL_DOMAIN
    settings.ALVEOLE_EMAIL_DELAY_MINUTES = 2
    settings.ALVEOLE_EMAIL_BATCH_MINUTES = 10


@pytest.fixture
def always_working():
    """always_working(user): emails may go at any hour, any day (tests do not depend on the clock)."""

    def make(user):
        notification_actions.update_settings(
            user, work_days=list(range(7)), work_start=datetime.time(0, 0), work_end=datetime.time(23, 59, 59, 999999)
        )

    return make


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(free_port):
    """The real SMTP server of `alveole mail-server`, on a free loopback port, in a thread."""
    from alveole.mail.smtp import make_controller

    controller = make_controller("127.0.0.1", free_port)
    controller.start()
    yield controller
    controller.stop()
