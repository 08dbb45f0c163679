"""The home page's "First steps": what a newcomer does first, checked off as it is done.

Owners and admins get the organisation's set-up (name it, create a space, invite people); members
and guests get their own way in (a space, a first post, their notifications). Every check is one
`Exists` on the viewer's own row, so the list costs one query whatever it holds. The list is empty
once the person dismissed it; the home page hides it as well when every step is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.feed.models import Post, PostRead
from alveole.notifications.models import NotificationSettings, SpaceMute
from alveole.orgs.access import invitations_for
from alveole.orgs.selectors import audit_events_for
from alveole.shell.demo import DEMO_ORG
from alveole.spaces.access import visible_spaces
from alveole.spaces.models import SpaceMembership


@dataclass(frozen=True)
class Step:
    label: str
    help: str
    url: str
    done: bool


def steps_for(viewer: User) -> list[Step]:
    """The viewer's first steps, in order; empty once they dismissed the list."""
    facts = _facts(viewer)
    if facts["dismissed"]:
        return []
    if viewer.is_org_admin:
        return [
            Step(
                _("Name your organisation"),
                _("This name appears on every page and in invitations."),
                reverse("org_settings"),
                facts["org_named"],
            ),
            Step(
                _("Create a space"),
                _("A space is where a team or a project talks, plans and decides."),
                reverse("space_create"),
                facts["has_space"],
            ),
            Step(
                _("Invite colleagues"),
                _("Paste their email addresses; each person gets a link to join."),
                reverse("org_invitations"),
                facts["invited"],
            ),
        ]
    if viewer.is_guest:
        # A guest is put into their space by whoever invited them: there is nothing to join, only
        # the place to find. Having seen one of its posts, or written one, counts as having been there.
        space_id = facts["first_space_id"]
        first = Step(
            _("Open your space"),
            _("It holds the conversation you were invited to, and the people in it."),
            reverse("space_detail", args=[space_id]) if space_id else reverse("home"),
            facts["has_read"] or facts["has_posted"],
        )
    else:
        first = Step(
            _("Join a space"),
            _("Spaces are where teams and projects talk. Join the ones you work in."),
            reverse("spaces"),
            facts["in_space"],
        )
    # "Install the app on your phone" joins this list once Alvéole can be installed from the
    # browser (a web app manifest and push notifications); until then it would be a dead end.
    return [
        first,
        Step(
            _("Write your first post"),
            _("Share news or ask a question: everyone in the space sees it at once."),
            reverse("post_create"),
            facts["has_posted"],
        ),
        Step(
            _("Set your notifications"),
            _("Choose what reaches you, when, and what is also sent by email."),
            reverse("notification_settings"),
            facts["notifications_set"],
        ),
    ]


def _facts(viewer: User) -> dict[str, Any]:
    """Every check of either list, answered by one query on the viewer's own row."""
    me = OuterRef("pk")
    checks: dict[str, Any] = {
        "dismissed": Exists(NotificationSettings.objects.filter(user=me, first_steps_dismissed_at__isnull=False)),
    }
    if viewer.is_org_admin:
        # The organisation was named by whoever created it (`createorg --name`), except the demo's,
        # which carries a placeholder until someone saves the settings with a name. The audit row of
        # that save is `org.update` with the name among its `changed` fields.
        named = audit_events_for(viewer).filter(action="org.update", data__changed__has_key="name")
        checks |= {
            "org_named": Exists(named.values("pk")) | ~Q(organisation__name=DEMO_ORG),
            "has_space": Exists(visible_spaces(viewer).values("pk")),
            "invited": Exists(invitations_for(viewer).values("pk")),
        }
    else:
        memberships = SpaceMembership.objects.filter(
            user=me, space__in=visible_spaces(viewer), space__archived_at__isnull=True
        )
        checks |= {
            "in_space": Exists(memberships),
            "first_space_id": Subquery(memberships.order_by("joined_at", "pk").values("space_id")[:1]),
            "has_posted": Exists(Post.objects.filter(author=me, deleted_at__isnull=True)),
            "has_read": Exists(PostRead.objects.filter(user=me)),
            "notifications_set": Exists(NotificationSettings.objects.filter(user=me, saved_at__isnull=False))
            | Exists(SpaceMute.objects.filter(user=me)),
        }
    return User.objects.filter(pk=viewer.pk).annotate(**checks).values(*checks).get()
