"""Every API endpoint through every role: owner, admin, member, non-member, guest,
a user of another organisation, and anonymous.

Denied reads answer 404, exactly like a missing id. A new endpoint without a row
here fails `test_every_endpoint_is_in_the_matrix`.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alveole.accounts.actions import create_token
from alveole.conversations.actions import send_message, start_conversation
from alveole.decisions.actions import close_poll, create_poll, create_proposal
from alveole.exports.actions import request_export
from alveole.factories import TEST_PASSWORD
from alveole.feed.actions import create_comment, create_post
from alveole.feed.models import Comment, Post
from alveole.moderation.actions import hide_reported, report_item
from alveole.notifications.jobs import comment_published
from alveole.notifications.models import Notification
from alveole.orgs.actions import invite_member
from alveole.projects import actions as project_actions
from alveole.scim.actions import create_scim_token
from alveole.shell.api import api
from alveole.spaces.models import HeldFor, Label, Space, SpaceKind
from alveole.sso.tests.factories import make_provider
from alveole.testing import PERSON_IN_A_AND_B, ROLES, World, person_in_a_and_b

pytestmark = pytest.mark.django_db

OK, CREATED, GONE = 200, 201, 204
ALL_SIGNED_IN = {"owner", "admin", "member", "nonmember", "guest", "other"}


@dataclass
class Case:
    method: str
    path: str  # formatted with the ids of `world`
    allowed: dict[str, int]  # role -> expected status; roles not listed get `denied`
    body: dict | None = None
    denied: int = 404
    upload: bool = False
    overrides: dict[str, int] = field(default_factory=dict)

    def expected(self, role: str) -> int:
        if role == "anonymous":
            return 401
        if role in self.overrides:
            return self.overrides[role]
        return self.allowed.get(role, self.denied)


def every(status: int, roles: set[str] = ALL_SIGNED_IN) -> dict[str, int]:
    return dict.fromkeys(roles, status)


ORG_ADMINS = {"owner", "admin", "other"}  # `other` is the owner of organisation B
PUSH_SUBSCRIPTION = {
    "endpoint": "https://1.2.3.4/push/matrix",
    "keys": {"p256dh": "BBFHzJHH088NObNLJTVB7NzncREdLn2HbDRK2DHeCL5JrS778iwH3R8wbfGhXE912pk3ESeBh0mau7Sedoakaew",
             "auth": "AAECAwQFBgcICQoLDA0ODw"},
}  # fmt: skip
SSO_INCOMPLETE = {"protocol": "oidc", "display_name": "X", "allowed_domains": ["acme.test"]}  # no issuer
CASES = [
    Case("GET", "/me", every(OK)),
    Case("PATCH", "/me", every(OK), body={"title": "Head of things"}),
    Case("GET", "/tokens", every(OK)),
    Case("POST", "/tokens", every(CREATED), body={"name": "laptop"}),
    Case("DELETE", "/tokens/{owner_token}", {"owner": GONE}),
    # Provisioning (SCIM) tokens: owners only; `other` owns organisation B and never sees A's token.
    Case("GET", "/scim-tokens", every(OK, {"owner", "other"}), denied=403),
    Case("POST", "/scim-tokens", every(CREATED, {"owner", "other"}), body={"name": "Entra ID"}, denied=403),
    Case("DELETE", "/scim-tokens/{scim_token}", {"owner": GONE}, denied=403, overrides={"other": 404}),
    Case("GET", "/organisation", every(OK)),
    Case("PATCH", "/organisation", every(OK, ORG_ADMINS), body={"name": "Renamed"}, denied=403),
    # Whether exports include direct messages: owners alone (`other` owns organisation B).
    Case(
        "PATCH",
        "/organisation",
        every(OK, {"owner", "other"}),
        body={"export_includes_conversations": True},
        denied=403,
    ),
    Case("GET", "/members", every(OK)),
    Case("GET", "/members/{member}", every(OK, {"owner", "admin", "member", "nonmember", "guest"})),
    Case("GET", "/members/{nonmember}", every(OK, {"owner", "admin", "member", "nonmember"})),
    Case(
        "PATCH",
        "/members/{nonmember}",
        every(OK, {"owner", "admin"}),
        body={"role": "admin"},
        overrides={"member": 403, "nonmember": 403},
    ),
    Case(
        "POST",
        "/members/{nonmember}/deactivate",
        every(OK, {"owner", "admin"}),
        overrides={"member": 403, "nonmember": 403},
    ),
    Case(
        "POST",
        "/members/{nonmember}/reactivate",
        every(OK, {"owner", "admin"}),
        overrides={"member": 403, "nonmember": 403},
    ),
    Case("GET", "/invitations", every(OK, ORG_ADMINS), denied=403),
    Case("POST", "/invitations", every(CREATED, ORG_ADMINS), body={"email": "new@example.org"}, denied=403),
    Case("DELETE", "/invitations/{invitation}", every(GONE, {"owner", "admin"})),
    Case("POST", "/invitations/{invitation}/resend", every(OK, {"owner", "admin"}), body={}),
    Case("GET", "/audit", every(OK, ORG_ADMINS), denied=403),
    # Single sign-on: owners only (403 for everyone else); B's owner cannot reach A's provider (404). An incomplete
    # body is a 400 for owners, and A already has its one provider (409).
    Case("GET", "/sso/providers", every(OK, {"owner", "other"}), denied=403),
    Case("GET", "/sso/providers/{sso_provider}", {"owner": OK, "other": 404}, denied=403),
    Case("POST", "/sso/providers", {"owner": 409, "other": 400}, body=SSO_INCOMPLETE, denied=403),
    Case("PUT", "/sso/providers/{sso_provider}", {"owner": 400, "other": 404}, body=SSO_INCOMPLETE, denied=403),
    Case("DELETE", "/sso/providers/{sso_provider}", {"owner": GONE, "other": 404}, denied=403),
    Case("GET", "/spaces", every(OK)),
    Case("POST", "/spaces", every(CREATED, ALL_SIGNED_IN - {"guest"}), body={"name": "New"}, overrides={"guest": 403}),
    Case("GET", "/spaces/{open_space}", every(OK, {"owner", "admin", "member", "nonmember"})),
    Case("GET", "/spaces/{private_space}", every(OK, {"owner", "member", "guest"})),
    Case(
        "PATCH",
        "/spaces/{open_space}",
        every(OK, {"owner", "admin"}),
        body={"description": "x"},
        overrides={"member": 403, "nonmember": 403},
    ),
    Case(
        "PATCH",
        "/spaces/{private_space}",
        {"owner": OK},
        body={"description": "x"},
        overrides={"member": 403, "guest": 403},
    ),
    Case("POST", "/spaces/{private_space}/archive", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case("POST", "/spaces/{private_space}/unarchive", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case("POST", "/spaces/{open_space}/join", every(OK, {"owner", "admin", "member", "nonmember"})),
    Case("POST", "/spaces/{private_space}/join", every(OK, {"owner", "member", "guest"})),
    Case("POST", "/spaces/{private_space}/leave", {"member": GONE, "guest": GONE}, overrides={"owner": 409}),
    Case("GET", "/spaces/{private_space}/members", every(OK, {"owner", "member", "guest"})),
    Case(
        "POST",
        "/spaces/{private_space}/members",
        {"owner": CREATED},
        body={"user_id": "{nonmember}"},
        overrides={"member": 403},
    ),
    Case(
        "PATCH",
        "/spaces/{private_space}/members/{member}",
        {"owner": OK},
        body={"role": "manager"},
        overrides={"member": 403, "guest": 403},
    ),
    Case(
        "DELETE", "/spaces/{private_space}/members/{member}", {"owner": GONE}, overrides={"member": 403, "guest": 403}
    ),
    # Guests invited from a space (default policy: its managers); another space's people never see it.
    Case(
        "POST",
        "/spaces/{private_space}/guest-invitations",
        {"owner": CREATED},
        body={"email": "client@example.org"},
        overrides={"member": 403, "guest": 403},
    ),
    # --- confidentiality labels: everyone reads them, owners define them ---
    Case("GET", "/labels", every(OK)),
    Case("POST", "/labels", every(CREATED, {"owner", "other"}), body={"name": "Secret"}, denied=403),
    Case(
        "PATCH",
        "/labels/{confidential_label}",
        {"owner": OK},
        body={"name": "Top secret"},
        overrides={"admin": 403, "member": 403, "nonmember": 403, "guest": 403},
    ),
    Case(
        "PUT",
        "/posts/{open_post}/label",
        every(OK, {"owner", "admin", "member"}),
        body={"label_id": "{confidential_label}"},
        overrides={"nonmember": 403},
    ),
    # --- feed ---
    Case("GET", "/feed", every(OK)),
    Case("GET", "/spaces/{open_space}/posts", every(OK, {"owner", "admin", "member", "nonmember"})),
    Case("GET", "/spaces/{private_space}/posts", every(OK, {"owner", "member", "guest"})),
    # "launch" is used only in the private space: to anyone else it is a name nobody used.
    Case("GET", "/topics", every(OK)),
    Case("GET", "/topics/{topic}", every(OK, {"owner", "member", "guest"})),
    Case("GET", "/topics/{topic}/posts", every(OK)),
    Case("GET", "/members/{member}/posts", every(OK, {"owner", "admin", "member", "nonmember", "guest"})),
    Case("GET", "/top-posts", every(OK)),
    Case("GET", "/search?q=launch", every(OK)),
    Case("GET", "/search?q=launch&space_id={private_space}", every(OK, {"owner", "member", "guest"})),
    Case("GET", "/search?q=launch&author_id={member}", every(OK, ALL_SIGNED_IN - {"other"})),
    Case("GET", "/search/suggest?q=ev", every(OK)),
    Case(
        "POST",
        "/posts",
        every(CREATED, {"owner", "member", "guest"}),
        body={"space_id": "{private_space}", "body": "Hi"},
    ),
    Case("GET", "/posts/{private_post}", every(OK, {"owner", "member", "guest"})),
    Case(
        "PATCH",
        "/posts/{private_post}",
        {"owner": OK},
        body={"body": "Edited"},
        overrides={"member": 403, "guest": 403},
    ),
    Case("DELETE", "/posts/{private_post}", {"owner": GONE}, overrides={"member": 403, "guest": 403}),
    Case("GET", "/posts/{private_post}/revisions", every(OK, {"owner", "member", "guest"})),
    Case("POST", "/posts/{private_post}/pin", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case("DELETE", "/posts/{private_post}/pin", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case("POST", "/posts/{private_post}/reactions", every(OK, {"owner", "member", "guest"}), body={"kind": "like"}),
    Case("GET", "/posts/{private_post}/reactions", every(OK, {"owner", "member", "guest"})),
    Case("POST", "/posts/{open_post}/shares", every(CREATED, {"owner", "admin", "member", "nonmember"}), body={}),
    Case("GET", "/posts/{private_post}/comments", every(OK, {"owner", "member", "guest"})),
    Case("POST", "/posts/{private_post}/comments", every(CREATED, {"owner", "member", "guest"}), body={"body": "Yes"}),
    Case(
        "PATCH",
        "/comments/{private_comment}",
        {"guest": OK},
        body={"body": "Edited"},
        overrides={"owner": 403, "member": 403},
    ),
    Case("DELETE", "/comments/{private_comment}", {"guest": GONE, "owner": GONE}, overrides={"member": 403}),
    Case("POST", "/comments/{private_comment}/answer", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case("DELETE", "/comments/{private_comment}/answer", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case("GET", "/follows", every(OK)),
    Case(
        "POST", "/follows", every(CREATED, {"owner", "admin", "member", "nonmember"}), body={"space_id": "{open_space}"}
    ),
    Case(
        "POST",
        "/follows/remove",
        every(GONE, {"owner", "admin", "member", "nonmember"}),
        body={"space_id": "{open_space}"},
    ),
    Case("POST", "/reads", every(OK), body={"post_ids": ["{private_post}"]}),
    Case("POST", "/files", every(CREATED), upload=True),
    Case("GET", "/mentions/suggest?space_id={private_space}", every(OK, {"owner", "member", "guest"})),
    Case("GET", "/presence?user_id={member}", every(OK)),
    Case("POST", "/decisions/{decision}/task", every(CREATED, {"owner", "member", "guest"}), body={}),
    # --- exports ---
    Case(
        "POST",
        "/spaces/{private_space}/export",
        {"owner": 202},
        body={"password": TEST_PASSWORD},
        overrides={"member": 403, "guest": 403},
    ),
    Case("POST", "/organisation/export", every(202, {"owner", "other"}), body={"password": TEST_PASSWORD}, denied=403),
    # Everyone exports their own direct messages (a wrong password: 400, as for the other exports).
    Case("POST", "/me/export", every(202), body={"password": TEST_PASSWORD}),
    Case("GET", "/exports", every(OK)),
    Case("GET", "/spaces/{private_space}/retention", every(OK, {"owner", "member", "guest"})),
    Case(
        "PUT",
        "/spaces/{private_space}/retention",
        {"owner": OK},
        body={"days": 365},
        overrides={"member": 403, "guest": 403},
    ),
    Case("PUT", "/organisation/retention", every(OK, {"owner", "other"}), body={"days": 365}, denied=403),
    # --- insights: admins see their organisation, space managers their spaces; others are refused ---
    Case("GET", "/insights", every(OK, ORG_ADMINS), denied=403),
    Case(
        "GET",
        "/insights?space_id={private_space}",
        {"owner": OK},
        overrides=every(403, {"member", "nonmember", "guest"}),
    ),
    Case(
        "PUT",
        "/spaces/{open_space}/legal-hold",
        every(OK, {"owner", "admin"}),
        body={"on": True, "reason": "Case"},
        overrides={"member": 403, "nonmember": 403},
    ),
    Case("GET", "/exports/{owner_export}", {"owner": OK}),
    # --- notifications ---
    Case("GET", "/notifications", every(OK)),
    Case("GET", "/notifications/unread", every(OK)),
    Case("POST", "/notifications/{owner_notification}/read", {"owner": OK}),
    Case("POST", "/notifications/read-all", every(OK)),
    Case("GET", "/notifications/settings", every(OK)),
    Case("PATCH", "/notifications/settings", every(OK), body={"email_mode": "daily"}),
    Case("POST", "/spaces/{private_space}/mute", every(GONE, {"owner", "member", "guest"}), body={"muted": True}),
    Case("GET", "/catch-up", every(OK)),
    Case("POST", "/catch-up/done", every(GONE), body={"post_ids": ["{private_post}"]}),
    # --- Web Push: one's own devices and choices only (a public IP literal: the endpoint check resolves no name) ---
    Case("GET", "/push/key", every(OK)),
    Case("GET", "/push/settings", every(OK)),
    Case("PUT", "/push/settings", every(OK), body={"kinds": ["mention", "direct_message"]}),
    Case("POST", "/push/subscriptions", every(CREATED), body=PUSH_SUBSCRIPTION),
    Case("DELETE", "/push/subscriptions", every(GONE), body={"endpoint": PUSH_SUBSCRIPTION["endpoint"]}),
    # --- email bridge ---
    Case("GET", "/spaces/{private_space}/email", every(OK, {"owner", "member", "guest"})),
    Case(
        "PATCH",
        "/spaces/{private_space}/email",
        {"owner": OK},
        body={"include_content": True},
        overrides={"member": 403, "guest": 403},
    ),
    Case("POST", "/spaces/{private_space}/email-address", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case("DELETE", "/spaces/{private_space}/email-address", {"owner": GONE}, overrides={"member": 403, "guest": 403}),
    # --- decisions ---
    Case(
        "POST",
        "/spaces/{private_space}/polls",
        every(CREATED, {"owner", "member", "guest"}),
        body={"question": "Lunch?", "options": ["Yes", "No"], "closes_at": "2099-01-01T00:00:00Z"},
    ),
    Case("GET", "/polls/{poll}", every(OK, {"owner", "member", "guest"})),
    Case("POST", "/polls/{poll}/vote", every(OK, {"owner", "member", "guest"}), body={"option_ids": ["{poll_option}"]}),
    Case(
        "POST", "/polls/{poll}/close", {"owner": OK}, body={"outcome": "Yes"}, overrides={"member": 403, "guest": 403}
    ),
    Case("GET", "/polls/{poll}/not-voted", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case(
        "POST",
        "/spaces/{private_space}/proposals",
        every(CREATED, {"owner", "member", "guest"}),
        body={"statement": "We ship on Friday", "closes_at": "2099-01-01T00:00:00Z"},
    ),
    Case("GET", "/proposals/{proposal}", every(OK, {"owner", "member", "guest"})),
    Case("POST", "/proposals/{proposal}/respond", every(OK, {"owner", "member", "guest"}), body={"answer": "agree"}),
    Case(
        "POST",
        "/proposals/{proposal}/close",
        {"owner": OK},
        body={"outcome": "Agreed"},
        overrides={"member": 403, "guest": 403},
    ),
    Case("GET", "/proposals/{proposal}/not-voted", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case("GET", "/spaces/{private_space}/decisions", every(OK, {"owner", "member", "guest"})),
    Case("GET", "/decisions", every(OK)),
    Case("GET", "/decisions/{decision}", every(OK, {"owner", "member", "guest"})),
    Case(
        "PATCH",
        "/decisions/{decision}",
        {"owner": OK},
        body={"outcome": "Yes"},
        overrides={"member": 403, "guest": 403},
    ),
    Case("GET", "/awaiting-my-vote", every(OK)),
    # --- projects ---
    Case("GET", "/spaces/{private_space}/plan", every(OK, {"owner", "member", "guest"})),
    Case(
        "PATCH",
        "/spaces/{private_space}/plan",
        {"owner": OK},
        body={"deadline": "2099-01-01", "status": "active"},
        overrides={"member": 403, "guest": 403},
    ),
    Case(
        "POST",
        "/spaces/{private_space}/milestones",
        {"owner": CREATED},
        body={"title": "Beta", "date": "2099-01-01"},
        overrides={"member": 403, "guest": 403},
    ),
    Case(
        "PATCH", "/milestones/{milestone}", {"owner": OK}, body={"done": True}, overrides={"member": 403, "guest": 403}
    ),
    Case("DELETE", "/milestones/{milestone}", {"owner": GONE}, overrides={"member": 403, "guest": 403}),
    Case("GET", "/spaces/{private_space}/tasks", every(OK, {"owner", "member", "guest"})),
    Case(
        "POST", "/spaces/{private_space}/tasks", every(CREATED, {"owner", "member", "guest"}), body={"title": "Brief"}
    ),
    Case("POST", "/posts/{private_post}/task", every(CREATED, {"owner", "member", "guest"}), body={}),
    Case("POST", "/comments/{private_comment}/task", every(CREATED, {"owner", "member", "guest"}), body={}),
    Case("GET", "/me/tasks", every(OK)),
    Case("GET", "/tasks/{task}", every(OK, {"owner", "member", "guest"})),
    Case("PATCH", "/tasks/{task}", every(OK, {"owner", "member", "guest"}), body={"title": "Renamed"}),
    Case("DELETE", "/tasks/{task}", {"owner": GONE, "member": GONE}, overrides={"guest": 403}),
    Case("POST", "/tasks/{task}/status", every(OK, {"owner", "member", "guest"}), body={"status": "doing"}),
    Case("POST", "/tasks/{task}/checklist", every(CREATED, {"owner", "member", "guest"}), body={"text": "Call"}),
    Case("PATCH", "/checklist/{checklist_item}", every(OK, {"owner", "member", "guest"}), body={"done": True}),
    Case("DELETE", "/checklist/{checklist_item}", every(GONE, {"owner", "member", "guest"})),
    Case("POST", "/tasks/{task}/comments", every(CREATED, {"owner", "member", "guest"}), body={"body": "Done?"}),
    Case("DELETE", "/task-comments/{task_comment}", {"owner": GONE, "guest": GONE}, overrides={"member": 403}),
    # --- projects: the task board (members move tasks; managers arrange the columns) ---
    Case("GET", "/spaces/{private_space}/board", every(OK, {"owner", "member", "guest"})),
    Case("POST", "/tasks/{task}/move", every(OK, {"owner", "member", "guest"}), body={"column_id": "{board_column}"}),
    Case(
        "POST",
        "/spaces/{private_space}/board/columns",
        {"owner": CREATED},
        body={"name": "QA"},
        overrides={"member": 403, "guest": 403},
    ),
    Case(
        "PATCH",
        "/board-columns/{board_column}",
        {"owner": OK},
        body={"name": "Busy"},
        overrides={"member": 403, "guest": 403},
    ),
    Case("DELETE", "/board-columns/{extra_column}", {"owner": GONE}, overrides={"member": 403, "guest": 403}),
    Case("GET", "/me/calendar", every(OK)),
    Case("POST", "/me/calendar/rotate", every(OK)),
    Case("DELETE", "/me/calendar", every(GONE)),
    # --- moderation: anyone who reads an item may report it (not its author); its moderators settle ---
    Case(
        "POST",
        "/posts/{private_post}/report",
        every(CREATED, {"member", "guest"}),
        body={"reason": "spam", "note": "Ads"},
        overrides={"owner": 400},
    ),
    Case(
        "POST",
        "/comments/{private_comment}/report",
        every(CREATED, {"owner", "member"}),
        body={"reason": "off_topic"},
        overrides={"guest": 400},
    ),
    Case("GET", "/reports", every(OK, ORG_ADMINS)),
    Case("POST", "/reports/{report}/dismiss", {"owner": OK}),
    Case("POST", "/reports/{report}/hide", {"owner": OK}),
    Case("POST", "/reports/{hidden_report}/unhide", {"owner": OK}),
    Case("POST", "/reports/{report}/delete", {"owner": OK}),
    # --- validation before publication: the space's managers (and admins who manage it) ---
    Case("GET", "/moderation/held", every(OK, ORG_ADMINS)),
    Case("POST", "/posts/{held_post}/approve", {"owner": OK}),
    Case("POST", "/posts/{held_post}/refuse", {"owner": OK}, body={"reason": "Off topic"}),
    Case("POST", "/comments/{held_comment}/approve", {"owner": OK}),
    Case("POST", "/comments/{held_comment}/refuse", {"owner": OK}, body={"reason": "Off topic"}),
    Case("GET", "/spaces/{private_space}/moderation", {"owner": OK}, overrides={"member": 403, "guest": 403}),
    Case(
        "PATCH",
        "/spaces/{private_space}/moderation",
        {"owner": OK},
        body={"hold_posts": "everyone"},
        overrides={"member": 403, "guest": 403},
    ),
    # --- direct messages (issue 16): only participants see a conversation; whom one may write to follows
    # the people directory (the guest shares a space with owner and member, not with nonmember) ---
    Case("GET", "/conversations", every(OK)),
    Case("GET", "/conversations/unread", every(OK)),
    Case(
        "POST",
        "/conversations",
        every(CREATED, {"owner", "admin", "nonmember", "guest"}),
        body={"people": ["{member}"], "body": "Hi"},
        overrides={"member": 400},
    ),
    Case(
        "POST",
        "/conversations",
        every(CREATED, {"owner", "admin", "member"}),
        body={"people": ["{nonmember}"]},
        overrides={"nonmember": 400},
    ),
    Case("GET", "/conversations/{conversation}", every(OK, {"owner", "member", "guest"})),
    Case("GET", "/conversations/{conversation}/messages", every(OK, {"owner", "member", "guest"})),
    Case(
        "POST",
        "/conversations/{conversation}/messages",
        every(CREATED, {"owner", "member", "guest"}),
        body={"body": "Ok"},
    ),
    Case(
        "PATCH", "/messages/{message}", {"member": OK}, body={"body": "Edited"}, overrides={"owner": 403, "guest": 403}
    ),
    Case("DELETE", "/messages/{message}", {"member": GONE}, overrides={"owner": 403, "guest": 403}),
    Case("POST", "/conversations/{conversation}/read", every(OK, {"owner", "member", "guest"})),
    Case("POST", "/conversations/{conversation}/mute", every(OK, {"owner", "member", "guest"}), body={"muted": True}),
    Case("POST", "/conversations/{conversation}/leave", every(GONE, {"owner", "member", "guest"})),
    # Reactions, files and "typing" (issue 16): participants only; admins of the organisation are nobody here.
    Case("PUT", "/messages/{message}/reaction", every(OK, {"owner", "member", "guest"}), body={"kind": "👍"}),
    Case("DELETE", "/messages/{message}/reaction", every(OK, {"owner", "member", "guest"})),
    Case("POST", "/conversations/{conversation}/files", every(CREATED, {"owner", "member", "guest"}), upload=True),
    Case("POST", "/conversations/{conversation}/typing", every(GONE, {"owner", "member", "guest"})),
]


def ids_of(world: World) -> dict[str, int | str]:
    token, _secret = create_token(world.owner, name="matrix")
    invitation, _link = invite_member(world.owner, email="invitee@example.org")
    open_post, _ = create_post(world.member, space=world.open_space, body="Hello everyone")
    private_post, _ = create_post(world.owner, space=world.private_space, body="When do we #launch?", kind="question")
    private_comment, _ = create_comment(world.guest, post=private_post, body="Next week")
    comment_published.call(private_comment.pk)  # the job the commit would have queued
    owner_notification = Notification.objects.get(user=world.owner, post=private_post)
    project_ids = projects_ids(world)
    soon = timezone.now() + datetime.timedelta(days=2)
    poll = create_poll(world.owner, space=world.private_space, question="Which day?", options=["Mon", "Tue"],
                       closes_at=soon)  # fmt: skip
    proposal = create_proposal(world.owner, space=world.private_space, statement="Ship it", closes_at=soon)
    decided = create_poll(world.owner, space=world.private_space, question="Venue?", options=["A", "B"],
                          closes_at=soon)  # fmt: skip
    decision = close_poll(world.owner, poll=decided, outcome="A")
    owner_export = request_export(world.owner, space=world.private_space, password=TEST_PASSWORD)
    report = report_item(world.member, post=private_post, reason="spam")
    spam, _ = create_comment(world.guest, post=private_post, body="Buy now")
    hidden_report = hide_reported(world.owner, report=report_item(world.member, comment=spam, reason="spam"))
    held_post, held_comment = _held(world, private_post)
    return {
        "held_post": held_post.pk,
        "held_comment": held_comment.pk,
        "report": report.pk,
        "hidden_report": hidden_report.pk,
        **project_ids,
        **conversation_ids(world),
        "owner_export": owner_export.pk,
        "owner_notification": owner_notification.pk,
        "poll": poll.pk,
        "poll_option": poll.options.all()[0].pk,
        "proposal": proposal.pk,
        "decision": decision.pk,
        "topic": "launch",
        "open_post": open_post.pk,
        "private_post": private_post.pk,
        "private_comment": private_comment.pk,
        "member": world.member.pk,
        "nonmember": world.nonmember.pk,
        "open_space": world.open_space.pk,
        "private_space": world.private_space.pk,
        "owner_token": token.pk,
        "scim_token": create_scim_token(world.owner, name="matrix")[0].pk,
        "invitation": invitation.pk,
        "confidential_label": Label.objects.get(organisation=world.org, name="Confidential").pk,
        "sso_provider": make_provider(world.org).pk,
    }


def _held(world: World, post: Post) -> tuple[Post, Comment]:
    """A post and a comment of the guest waiting for validation (the space holds guests only meanwhile)."""
    Space.objects.filter(pk=world.private_space.pk).update(hold_posts=HeldFor.GUESTS, hold_comments=HeldFor.GUESTS)
    world.private_space.refresh_from_db()
    held_post, _ = create_post(world.guest, space=world.private_space, body="May I?")
    held_comment, _ = create_comment(world.guest, post=post, body="Me too")
    Space.objects.filter(pk=world.private_space.pk).update(hold_posts=HeldFor.NOBODY, hold_comments=HeldFor.NOBODY)
    world.private_space.refresh_from_db()
    return held_post, held_comment


def projects_ids(world: World) -> dict[str, int | str]:
    """The private space becomes a project with a milestone and a task (created by the member)."""
    Space.objects.filter(pk=world.private_space.pk).update(kind=SpaceKind.PROJECT)
    world.private_space.refresh_from_db()
    milestone = project_actions.create_milestone(
        world.owner, space=world.private_space, title="Kick-off", date=datetime.date(2099, 1, 1)
    )
    task = project_actions.create_task(world.member, space=world.private_space, title="Brief", checklist=["Draft"])
    task_comment = project_actions.comment_on_task(world.guest, task=task, body="I can help")
    columns = project_actions.board_columns(world.private_space)
    review = project_actions.add_column(world.owner, space=world.private_space, name="Review")
    return {
        "board_column": columns[1].pk,
        "extra_column": review.pk,
        "milestone": milestone.pk,
        "task": task.pk,
        "checklist_item": task.checklist.get().pk,
        "task_comment": task_comment.pk,
    }


def conversation_ids(world: World) -> dict[str, int | str]:
    """A conversation of the owner, the member and the guest, with a message of the member."""
    conversation, _ = start_conversation(world.owner, people_ids=[world.member.pk, world.guest.pk], title="Launch")
    message = send_message(world.member, conversation=conversation, body="Hello")
    return {"conversation": conversation.pk, "message": message.pk}


def _fill(value: object, ids: dict[str, int | str]) -> object:
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("role", [*ROLES, PERSON_IN_A_AND_B])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_role_matrix(case: Case, role: str, world: World, api_client_for) -> None:
    ids = ids_of(world)
    if role == PERSON_IN_A_AND_B:
        # Through the browser session of one identity with accounts in A and B, A open: what A's member gets.
        client, _in_b = person_in_a_and_b(world)
        role = "member"
    else:
        client = api_client_for(world.user(role))
    body = {k: _fill(v, ids) for k, v in (case.body or {}).items()}
    path = "/api/v1" + case.path.format(**ids)
    if case.upload:
        response = client.post(path, {"file": SimpleUploadedFile("notes.txt", b"Meeting notes")})
    else:
        response = client.generic(case.method, path, data=json.dumps(body), content_type="application/json")
    assert response.status_code == case.expected(role), response.content
    if response.status_code >= 400:
        payload = response.json()
        assert set(payload) == {"code", "message", "fields"}
        assert payload["message"]


def test_every_endpoint_is_in_the_matrix() -> None:
    schema = api.get_openapi_schema()
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    covered = {(c.method, _generic(c.path.split("?")[0])) for c in CASES}
    missing = {(m, p) for m, p in documented if (m, _generic(p)) not in covered}
    assert not missing, f"endpoints without a role-matrix row: {sorted(missing)}"


def _generic(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_from_a_the_person_in_a_and_b_gets_404_for_every_id_of_b(world: World) -> None:
    client, in_b = person_in_a_and_b(world)
    b_post, _ = create_post(in_b, space=world.other_space, body="Only in Globex")
    for path in (
        f"/spaces/{world.other_space.pk}",
        f"/spaces/{world.other_space.pk}/posts",
        f"/posts/{b_post.pk}",
        f"/people/{in_b.pk}",
        f"/people/{world.other.pk}",
    ):
        response = client.get("/api/v1" + path)
        assert response.status_code == 404, (path, response.content)
    me = client.get("/api/v1/me").json()
    assert me["id"] == world.member.pk and me["organisation_id"] == world.org.pk
    assert "Globex" not in client.get("/api/v1/spaces").content.decode()
