"""Notification emails and digests: what they say and when they go.

Sent by jobs only (`send_notification_emails`, `send_digest_emails`), never inside a request. Every email is
in the recipient's language and time zone, has a plain-text and a simple HTML part (no remote images),
a one-click List-Unsubscribe, and a link to the notification settings.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.conversations import actions as conversation_actions
from alveole.conversations import selectors as conversation_selectors
from alveole.conversations.models import Message, Participant
from alveole.core.markdown import plain_text
from alveole.notifications.access import settings_of
from alveole.notifications.models import EmailMode, Kind, Notification
from alveole.notifications.selectors import describe
from alveole.spaces import labels

from . import actions, selectors
from .addresses import inbound_enabled, message_reply_address, reply_address, unsubscribe_address, unsubscribe_token
from .models import SentKind

log = logging.getLogger(__name__)

SETTINGS_PATH = "/notifications/settings/"
EXCERPT_CHARS = 3000


def absolute(path: str) -> str:
    return settings.ALVEOLE_BASE_URL + path


def _thread_domain() -> str:
    return settings.ALVEOLE_MAIL_DOMAIN or urlparse(settings.ALVEOLE_BASE_URL).hostname or "localhost"


def _excerpt(body: str) -> str:
    body = (body or "").strip()
    return body if len(body) <= EXCERPT_CHARS else body[: EXCERPT_CHARS - 1].rstrip() + "…"


@dataclass
class Outgoing:
    user: User
    subject: str
    template: str  # mail/<template>.txt and .html
    context: dict
    reply_to: str = ""
    thread_id: str = ""  # a Message-ID the emails about the same post refer to, so mail apps group them
    headers: dict[str, str] = field(default_factory=dict)

    def build(self) -> EmailMultiAlternatives:
        user = self.user
        unsubscribe_url = absolute(reverse("mail_unsubscribe", args=[unsubscribe_token(user.pk)]))
        context = {
            **self.context,
            "user": user,
            "base_url": settings.ALVEOLE_BASE_URL,
            # Which account the email is for: someone in several organisations is offered that one's settings.
            "settings_url": absolute(f"{SETTINGS_PATH}?account={user.pk}"),
            "unsubscribe_url": unsubscribe_url,
            "reply_address": self.reply_to,
        }
        text = render_to_string(f"mail/{self.template}.txt", context)
        html = render_to_string(f"mail/{self.template}.html", context)
        unsubscribe = f"<{unsubscribe_url}>"
        if inbound_enabled():
            unsubscribe += f", <mailto:{unsubscribe_address(user.pk)}?subject=unsubscribe>"
        headers = {
            "List-Unsubscribe": unsubscribe,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: out-of-office responders should not answer (and we do not post what they send).
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            **self.headers,
        }
        if self.thread_id:
            headers["References"] = self.thread_id
            headers["In-Reply-To"] = self.thread_id
        message = EmailMultiAlternatives(
            subject=" ".join(self.subject.split()),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            reply_to=[self.reply_to] if self.reply_to else None,
            headers=headers,
        )
        message.attach_alternative(html, "text/html")
        return message


def _in_users_world(user: User) -> tuple[translation.override, timezone.override]:
    return translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(
        selectors.time_zone_of(user)
    )


def notification_email(notification: Notification) -> Outgoing:
    """The email about one notification line (call inside the recipient's language)."""
    user, post = notification.user, notification.post
    sentence = describe(notification)
    space = post.space if post is not None else notification.space
    # Confidential content never goes into an email: the sentence, the label and a link only.
    confidential = post is not None and labels.is_restricted(post)
    show_content = post is not None and not confidential and selectors.content_allowed(post.space_id)
    comment = notification.comment if notification.kind in {Kind.REPLY, Kind.MENTION} else None
    if comment is not None and comment.deleted_at is not None:
        comment = None
    if post is not None:
        url = absolute(reverse("post", args=[post.pk])) + (f"#comment-{comment.pk}" if comment else "")
    elif space is not None:
        url = absolute(reverse("space_detail", args=[space.pk]))
    else:
        url = absolute(reverse("home"))
    subject = sentence
    if show_content and post is not None:
        subject += ": " + plain_text(post.body, 80)
    elif space is not None:
        subject += " · " + space.name
    reply_to = ""
    if post is not None and inbound_enabled():
        reply_to = reply_address(user.pk, post.pk, comment.pk if comment else None)
    return Outgoing(
        user=user,
        subject=subject,
        template="notification",
        context={
            "sentence": sentence,
            "space": space,
            "post": post,
            "comment": comment,
            "show_content": show_content,
            "confidential": confidential,
            "label": labels.post_label(post) if post is not None else None,
            "post_text": _excerpt(post.body) if show_content and post is not None else "",
            "comment_text": _excerpt(comment.body) if show_content and comment is not None else "",
            "url": url,
        },
        reply_to=reply_to,
        thread_id=f"<post-{post.pk}@{_thread_domain()}>" if post is not None else "",
    )


def digest_email(user: User, mode: str, digest: selectors.Digest) -> Outgoing:
    lines = [
        {
            "sentence": describe(n),
            "space": (n.post.space if n.post is not None else n.space),
            "url": absolute(reverse("post", args=[n.post_id]) if n.post_id else reverse("home")),
        }
        for n in digest.notifications
    ]
    busiest = [
        {
            "post": b.post,
            "activity": b.activity,
            "title": plain_text(b.post.body, 140) if b.show_content else "",
            "confidential": b.confidential,
            "label": labels.post_label(b.post),
            "url": absolute(reverse("post", args=[b.post.pk])),
        }
        for b in digest.busiest
    ]
    subject = _("Your daily digest") if mode == EmailMode.DAILY else _("Your weekly digest")
    # Someone in several organisations gets one digest from each: the subject says which.
    subject += " · " + user.org.name
    if lines:
        first = str(lines[0]["sentence"])
        subject += " · " + (_("%(n)d new notifications") % {"n": len(lines)} if len(lines) > 1 else first)
    return Outgoing(
        user=user,
        subject=subject,
        template="digest",
        context={"mode": mode, "since": digest.since, "lines": lines, "busiest": busiest},
    )


# --- the jobs' work ----------------------------------------------------------------------------


def send_notification_emails(now: datetime.datetime | None = None) -> int:
    """One email per unread line, once it has been quiet for ALVEOLE_EMAIL_DELAY_MINUTES, at most once per
    ALVEOLE_EMAIL_BATCH_MINUTES per line, within the person's working hours. Returns how many were sent."""
    now = now or timezone.now()
    delay = datetime.timedelta(minutes=settings.ALVEOLE_EMAIL_DELAY_MINUTES)
    batch = datetime.timedelta(minutes=settings.ALVEOLE_EMAIL_BATCH_MINUTES)
    due = list(selectors.due_notification_lines(now, delay))
    if not due:
        return 0
    paced = selectors.recently_emailed([n.pk for n in due], now - batch)
    sent = 0
    connection = get_connection()
    with connection:
        for _user_id, group in groupby(due, key=lambda n: n.user_id):
            lines = list(group)
            user = lines[0].user
            prefs = settings_of(user)
            if not selectors.in_working_hours(prefs, now.astimezone(selectors.time_zone_of(user))):
                continue  # it waits for the start of their working day
            muted = selectors.muted_space_ids(user)
            readable = selectors.line_posts(user)
            for line in lines:
                if line.pk in paced or not selectors.wants_kind(prefs, line.kind):
                    continue
                if selectors.space_of(line) in muted:
                    continue
                if not selectors.line_post_readable(readable, line):
                    actions.mark_emailed([line.pk], now=now)  # they cannot see it any more: nothing to send
                    continue
                if not actions.claim_for_email(line, now=now):
                    continue
                try:
                    language, zone = _in_users_world(user)
                    with language, zone:
                        message = notification_email(line).build()
                    message.connection = connection
                    message.send()
                except Exception:
                    log.exception("mail: could not send notification %s to user %s", line.pk, user.pk)
                    actions.release_claim([line.pk])
                    continue
                actions.record_sent(user, kind=SentKind.NOTIFICATION, notification=line, at=now)
                sent += 1
    return sent


def message_email(participant: Participant, messages: list[Message]) -> Outgoing:
    """The email about new direct messages (call inside the recipient's language). Only immediate emails
    carry the text: a conversation is never in a digest."""
    user, conversation = participant.user, participant.conversation
    authors = list(dict.fromkeys(m.author.full_name for m in messages if m.author is not None))
    if conversation.title:
        sentence = _("New messages in “%(title)s”") % {"title": conversation.title}
    elif len(authors) == 1:
        sentence = _("%(name)s wrote to you") % {"name": authors[0]}
    else:
        sentence = _("New messages from %(names)s") % {"names": ", ".join(authors)}
    reply_to = message_reply_address(user.pk, conversation.pk) if inbound_enabled() else ""
    return Outgoing(
        user=user,
        subject=sentence + " · " + user.org.name,
        template="message",
        context={
            "sentence": sentence,
            # A message may be files alone: their names say what came (the files stay behind the sign-in).
            "messages": [
                {"author": m.author, "text": _excerpt(m.body), "files": [a.original_name for a in m.attachments.all()]}
                for m in messages
            ],
            "url": absolute(reverse("conversation", args=[conversation.pk])),
        },
        reply_to=reply_to,
        thread_id=f"<conversation-{conversation.pk}@{_thread_domain()}>",
    )


def send_message_emails(now: datetime.datetime | None = None) -> int:
    """One email per conversation with unread messages, once it has been quiet for
    ALVEOLE_EMAIL_DELAY_MINUTES, to people who chose immediate emails, within their working hours. Muted
    conversations are never emailed; nor is anyone whose emails are off or grouped in digests."""
    now = now or timezone.now()
    quiet_since = now - datetime.timedelta(minutes=settings.ALVEOLE_EMAIL_DELAY_MINUTES)
    sent = 0
    connection = get_connection()
    with connection:
        for participant in conversation_selectors.due_for_email(quiet_since):
            user = participant.user
            prefs = settings_of(user)
            if prefs.email_mode != EmailMode.IMMEDIATE:
                continue
            if not selectors.in_working_hours(prefs, now.astimezone(selectors.time_zone_of(user))):
                continue  # it waits for the start of their working day
            messages = conversation_selectors.unemailed_messages(participant)
            if not messages:
                continue
            previous = participant.emailed_until
            if not conversation_actions.claim_for_email(participant, until=messages[-1].created_at):
                continue
            try:
                language, zone = _in_users_world(user)
                with language, zone:
                    email = message_email(participant, messages).build()
                email.connection = connection
                email.send()
            except Exception:
                log.exception(
                    "mail: could not send messages of conversation %s to user %s", participant.conversation_id, user.pk
                )
                conversation_actions.release_email_claim(participant, previous=previous)
                continue
            sent += 1
    return sent


def send_digest_emails(now: datetime.datetime | None = None) -> int:
    """Daily and weekly digests, at the start of each person's working day (their time zone)."""
    now = now or timezone.now()
    sent = 0
    connection = get_connection()
    with connection:
        for prefs in selectors.digest_people():
            user = prefs.user
            zone_info = selectors.time_zone_of(user)
            local = now.astimezone(zone_info)
            if not selectors.in_working_hours(prefs, local):
                continue
            last = selectors.last_digest_at(user, prefs.email_mode)
            if not selectors.digest_due(prefs.email_mode, local, last.astimezone(zone_info) if last else None):
                continue
            period = datetime.timedelta(days=7 if prefs.email_mode == EmailMode.WEEKLY else 1)
            digest = selectors.digest_for(user, since=last or now - period)
            if digest.is_empty:
                continue
            try:
                language, zone = _in_users_world(user)
                with language, zone:
                    message = digest_email(user, prefs.email_mode, digest).build()
                message.connection = connection
                message.send()
            except Exception:
                log.exception("mail: could not send the digest of user %s", user.pk)
                continue
            actions.mark_emailed([n.pk for n in digest.notifications], now=now)
            actions.record_sent(user, kind=prefs.email_mode, at=now)
            sent += 1
    return sent
