"""Background jobs of the email bridge. The two senders run on the schedule (alveole.core.periodic, registered
in apps.py) and from `alveole send-notification-emails`; both are idempotent: a line is claimed before it
is sent, and a digest is sent once per period."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from alveole.accounts.models import User
from alveole.core.jobs import own_transactions

from . import outbound


@task()
@own_transactions  # SMTP inside a transaction would hold it open; lines are claimed before sending
def send_notification_emails() -> int:
    return outbound.send_notification_emails()


@task()
@own_transactions
def send_digest_emails() -> int:
    return outbound.send_digest_emails()


@task()
@own_transactions
def send_bounce(to: str, recipient: str, reason: str, subject: str = "", message_id: str = "") -> None:
    """Tell the sender why an email we accepted could not be posted (in their language when we know them)."""
    person = User.objects.filter(email__iexact=to, is_active=True).first()
    language = (person.language if person else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string(
            "mail/bounce.txt",
            {"recipient": recipient, "reason": reason, "subject": subject, "message_id": message_id},
        )
        message = EmailMessage(
            subject=_("Not posted: %(subject)s") % {"subject": subject} if subject else _("Your email was not posted"),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
        )
        if message_id:
            message.extra_headers["In-Reply-To"] = message_id
            message.extra_headers["References"] = message_id
    message.send()


# On the shared schedule (alveole.core.periodic finds it).
@task()
@own_transactions  # as notification emails: each conversation is claimed before its email goes
def send_message_emails() -> int:
    return outbound.send_message_emails()


PERIODIC = [(send_notification_emails, 60), (send_message_emails, 60), (send_digest_emails, 300)]
