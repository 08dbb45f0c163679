"""Every web page through every role (the web half of the role matrix; the API half is
alveole/api/tests/test_role_matrix.py). Denied reads answer 404, like a missing id; pages a
person can see but not use answer 403; anonymous visitors are sent to sign in.

A new URL without a row here fails `test_every_page_is_in_the_matrix`.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from alveole.conversations.actions import Upload, send_message, start_conversation
from alveole.decisions.actions import close_poll, create_poll, create_proposal
from alveole.exports.actions import request_export
from alveole.factories import TEST_PASSWORD
from alveole.feed.actions import create_comment, create_post, upload_attachment
from alveole.notifications.jobs import comment_published
from alveole.notifications.models import Notification
from alveole.projects.actions import create_task
from alveole.testing import PERSON_IN_A_AND_B, ROLES, World, person_in_a_and_b

pytestmark = pytest.mark.django_db

SIGNED_IN = ("owner", "admin", "member", "nonmember", "guest", "other")
EVERYONE_OK = dict.fromkeys(SIGNED_IN, 200)
SEES_OPEN = {"owner", "admin", "member", "nonmember"}
SEES_PRIVATE = {"owner", "member", "guest"}
ADMINS = {"owner", "admin", "other"}  # `other` administers organisation B


def only(allowed: set[str], ok: int = 200, denied: int = 404, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, ok if role in allowed else denied) for role in SIGNED_IN}


# name -> (path, expected status per signed-in role). Anonymous visitors get a redirect to sign in.
PAGES: dict[str, tuple[str, dict[str, int]]] = {
    "home": ("/", EVERYONE_OK),
    "profile": ("/profile/", EVERYONE_OK),
    "tokens": ("/profile/tokens/", EVERYONE_OK),
    "organisations": ("/profile/organisations/", EVERYONE_OK),
    "people": ("/people/", EVERYONE_OK),
    "person": ("/people/{member}/", only(SIGNED_IN_BUT_OTHER := {"owner", "admin", "member", "nonmember", "guest"})),
    "org_admin": ("/admin/", only(ADMINS, denied=403)),
    "org_invitations": ("/admin/invitations/", only(ADMINS, denied=403)),
    "org_audit": ("/admin/audit/", only(ADMINS, denied=403)),
    "org_audit_csv": ("/admin/audit.csv", only(ADMINS, denied=403)),
    "org_audit_json": ("/admin/audit.json", only(ADMINS, denied=403)),
    "org_settings": ("/admin/settings/", only(ADMINS, denied=403)),
    "org_labels": ("/admin/settings/labels/", only({"owner", "other"}, denied=403)),  # owners only
    "sso_settings": ("/admin/settings/sso/", only({"owner", "other"}, denied=403)),  # owners only
    "scim_settings": ("/admin/settings/scim/", only({"owner", "other"}, denied=403)),  # owners only
    "spaces": ("/spaces/", EVERYONE_OK),
    "space_create": ("/spaces/new/", only(set(SIGNED_IN) - {"guest"}, denied=403)),
    "space_detail": ("/spaces/{private_space}/", only(SEES_PRIVATE)),
    "space_members": ("/spaces/{private_space}/members/", only(SEES_PRIVATE)),
    "space_settings": ("/spaces/{private_space}/settings/", only({"owner"}, member=403, guest=403)),
    "topics": ("/topics/", EVERYONE_OK),
    "topic": ("/topics/launch/", EVERYONE_OK),
    "search": ("/search/?q=launch", EVERYONE_OK),
    "post_create": ("/posts/new/", EVERYONE_OK),
    "post": ("/posts/{private_post}/", only(SEES_PRIVATE)),
    "post_edit": ("/posts/{private_post}/edit/", only({"owner"}, member=403, guest=403)),
    "post_reactions": ("/posts/{private_post}/reactions/", only(SEES_PRIVATE)),
    "emoji_data": ("/reactions/emoji/en.json", EVERYONE_OK),  # the reaction picker's list
    "post_comments": ("/posts/{private_post}/comments/", only(SEES_PRIVATE, ok=302)),
    "post_share": ("/posts/{open_post}/share/", only(SEES_OPEN)),
    "attachment": ("/files/{file}/plan.txt", only(SEES_PRIVATE)),
    "attachment_thumbnail": ("/files/{file}/thumbnail", only(set())),  # not an image: no thumbnail
    "notifications": ("/notifications/", EVERYONE_OK),
    "notification_settings": ("/notifications/settings/", EVERYONE_OK),
    "notification_open": ("/notifications/{owner_notification}/", only({"owner"}, ok=302)),
    "catch_up": ("/catch-up/", EVERYONE_OK),
    "my_tasks": ("/tasks/", EVERYONE_OK),
    "task": ("/tasks/{task}/", only(SEES_PRIVATE)),
    "space_tasks": ("/spaces/{private_space}/tasks/", only(SEES_PRIVATE)),
    "space_plan": ("/spaces/{private_space}/plan/", only(SEES_PRIVATE)),
    "space_board": ("/spaces/{private_space}/board/", only(SEES_PRIVATE)),
    "space_timeline": ("/spaces/{private_space}/timeline.svg", only(SEES_PRIVATE)),
    "poll_create": ("/spaces/{private_space}/polls/new/", only(SEES_PRIVATE)),
    "proposal_create": ("/spaces/{private_space}/proposals/new/", only(SEES_PRIVATE)),
    "space_decisions": ("/spaces/{private_space}/decisions/", only(SEES_PRIVATE)),
    "poll_close": ("/polls/{poll}/close/", only({"owner"}, member=403, guest=403)),
    "proposal_close": ("/proposals/{proposal}/close/", only({"owner"}, member=403, guest=403)),
    "key_decisions": ("/decisions/", EVERYONE_OK),
    "decision": ("/decisions/{decision}/", only(SEES_PRIVATE)),
    "report_post": ("/posts/{open_post}/report/", only(SEES_OPEN)),
    "report_comment": ("/comments/{private_comment}/report/", only(SEES_PRIVATE)),
    "moderation_queue": ("/moderation/", only(ADMINS)),  # and the managers of a space (owner manages both)
    "space_moderation": ("/spaces/{private_space}/moderation/", only({"owner"}, member=403, guest=403)),
    # Who may invite guests is the organisation's policy (default: the space's managers and admins).
    "space_guest_invite": ("/spaces/{private_space}/guests/invite/", only({"owner"}, member=403, guest=403)),
    # Insights: admins (their organisation) and space managers; the page is no secret, so others get 403.
    "insights": ("/insights/", only(ADMINS, denied=403)),
    "insights_chart": (
        "/insights/charts/activity.svg?space={private_space}",
        only({"owner"}, admin=404, other=404, member=403, nonmember=403, guest=403),
    ),
    "insights_csv": ("/insights/most-read.csv", only(ADMINS, denied=403)),
    "export_detail": ("/exports/{owner_export}/", only({"owner"})),
    # The test queue runs jobs at once, in the request's transaction: the ZIP is ready.
    "export_download": ("/exports/{owner_export}/download/", only({"owner"})),
    # --- direct messages (issue 16): a conversation of owner, member and guest; nobody else sees it ---
    "messages": ("/messages/", EVERYONE_OK),
    "message_start": ("/messages/new/", EVERYONE_OK),
    "conversation": ("/messages/{conversation}/", only({"owner", "member", "guest"})),
    "message_fragment": ("/messages/message/{message}/", only({"owner", "member", "guest"})),
    # A conversation's files: its participants only (the organisation's admin included in "nobody else").
    "message_file": ("/messages/files/{message_file}/plan.png", only({"owner", "member", "guest"})),
    "message_file_thumbnail": ("/messages/files/{message_file}/thumbnail", only({"owner", "member", "guest"})),
}
# Files answer 404 to anonymous visitors rather than revealing that a sign-in would help.
FILES = {"attachment", "attachment_thumbnail", "export_download", "message_file", "message_file_thumbnail"}
# Changes: POST only. A GET must never show anything (405), whoever asks.
POST_ONLY = {
    "token_revoke": "/profile/tokens/1/revoke/",
    "scim_token_revoke": "/admin/settings/scim/1/revoke/",
    "switch_account": "/switch/1/",
    "org_member_role": "/admin/members/{member}/role/",
    "org_member_deactivate": "/admin/members/{member}/deactivate/",
    "org_member_reactivate": "/admin/members/{member}/reactivate/",
    "org_invitation_revoke": "/admin/invitations/1/revoke/",
    "space_guest_invitation_revoke": "/spaces/{private_space}/guests/invitations/1/revoke/",
    "org_invitation_resend": "/admin/invitations/1/resend/",
    "first_steps_dismiss": "/first-steps/dismiss/",
    "space_join": "/spaces/{private_space}/join/",
    "space_leave": "/spaces/{private_space}/leave/",
    "space_star": "/spaces/{private_space}/star/",
    "space_archive": "/spaces/{private_space}/archive/",
    "space_unarchive": "/spaces/{private_space}/unarchive/",
    "space_member_add": "/spaces/{private_space}/members/add/",
    "space_member_role": "/spaces/{private_space}/members/{member}/role/",
    "space_member_remove": "/spaces/{private_space}/members/{member}/remove/",
    "topic_follow": "/topics/launch/follow/",
    "person_follow": "/people/{member}/follow/",
    "post_delete": "/posts/{private_post}/delete/",
    "post_pin": "/posts/{private_post}/pin/",
    "post_react": "/posts/{private_post}/react/",
    "comment_edit": "/comments/{private_comment}/edit/",
    "comment_delete": "/comments/{private_comment}/delete/",
    "comment_answer": "/comments/{private_comment}/answer/",
    "notifications_read_all": "/notifications/read-all/",
    "notification_space_mute": "/notifications/settings/spaces/{private_space}/",
    "notification_push_kinds": "/notifications/settings/push/",
    "notification_push_device_remove": "/notifications/settings/push/devices/1/remove/",
    "catch_up_done": "/catch-up/done/",
    "task_status": "/tasks/{task}/status/",
    "task_delete": "/tasks/{task}/delete/",
    "task_checklist_add": "/tasks/{task}/checklist/",
    "task_checklist_item": "/checklist/1/",
    "task_comment": "/tasks/{task}/comments/",
    "task_move": "/tasks/{task}/move/",
    "board_column_add": "/spaces/{private_space}/board/columns/",
    "board_column": "/board-columns/1/",
    "milestone_add": "/spaces/{private_space}/milestones/",
    "milestone_item": "/milestones/1/",
    "post_make_task": "/posts/{private_post}/task/",
    "calendar_rotate": "/calendar/rotate/",
    "calendar_revoke": "/calendar/revoke/",
    "poll_vote": "/polls/{poll}/vote/",
    "proposal_respond": "/proposals/{proposal}/respond/",
    "space_export": "/spaces/{private_space}/export/",
    "decision_make_task": "/decisions/{decision}/task/",
    "space_retention": "/spaces/{private_space}/retention/",
    "space_legal_hold": "/spaces/{private_space}/legal-hold/",
    "organisation_retention": "/admin/retention/",
    "organisation_export": "/admin/export/",
    "personal_export": "/profile/export/",
    "moderation_settle": "/moderation/reports/1/dismiss/",
    "moderation_approve": "/moderation/posts/1/approve/",
    "moderation_refuse": "/moderation/comments/1/refuse/",
    "org_label_update": "/admin/settings/labels/1/",
    "sso_remove": "/admin/settings/sso/remove/",
    "conversation_send": "/messages/{conversation}/send/",
    "conversation_mute": "/messages/{conversation}/mute/",
    "conversation_leave": "/messages/{conversation}/leave/",
    "message_edit": "/messages/message/{message}/edit/",
    "message_delete": "/messages/message/{message}/delete/",
    "message_react": "/messages/message/{message}/react/",
}
# Reached without an account, through a secret in the address; tested in their own modules.
# `scim` is the provisioning protocol: Bearer tokens only, tested in alveole/scim/tests.
PUBLIC = {"healthz", "invitation_accept", "mail_unsubscribe", "calendar_feed", "sso_start", "scim"}
# The installable app's manifest and service worker: the same for everyone, signed in or not, and
# nothing of anyone's in them (alveole/shell/tests/test_installable.py).
PUBLIC |= {"manifest", "service_worker"}


@pytest.fixture
def ids(world: World, settings, tmp_path) -> dict[str, int]:
    settings.MEDIA_ROOT = tmp_path
    open_post, _ = create_post(world.member, space=world.open_space, body="Hello")
    plan = upload_attachment(world.owner, stream=io.BytesIO(b"plan"), name="plan.txt", size=4)
    private_post, _ = create_post(
        world.owner, space=world.private_space, body="When do we #launch?", kind="question", attachment_ids=[plan.pk]
    )
    comment, _ = create_comment(world.guest, post=private_post, body="Next week")
    comment_published.call(comment.pk)
    closes = timezone.now() + datetime.timedelta(days=2)
    poll = create_poll(
        world.owner, space=world.private_space, question="Day?", options=["Mon", "Tue"], closes_at=closes
    )
    proposal = create_proposal(world.owner, space=world.private_space, statement="Ship it", closes_at=closes)
    done = create_poll(world.owner, space=world.private_space, question="Venue?", options=["A", "B"], closes_at=closes)
    return {
        "poll": poll.pk,
        "proposal": proposal.pk,
        "decision": close_poll(world.owner, poll=done, outcome="A").pk,
        "member": world.member.pk,
        "private_space": world.private_space.pk,
        "open_post": open_post.pk,
        "private_post": private_post.pk,
        "private_comment": comment.pk,
        "file": plan.pk,
        "owner_notification": Notification.objects.get(user=world.owner).pk,
        "task": create_task(world.member, space=world.private_space, title="Brief").pk,
        "owner_export": request_export(world.owner, space=world.private_space, password=TEST_PASSWORD).pk,
        **conversation_ids(world),
    }


def conversation_ids(world: World) -> dict[str, int]:
    conversation, _ = start_conversation(world.owner, people_ids=[world.member.pk, world.guest.pk], title="Launch")
    image = io.BytesIO()
    Image.new("RGB", (32, 24), (217, 142, 4)).save(image, "PNG")
    with_file = send_message(
        world.owner, conversation=conversation, body="", uploads=[Upload(image, "plan.png", len(image.getvalue()))]
    )
    return {
        "conversation": conversation.pk,
        "message": send_message(world.member, conversation=conversation, body="Hi").pk,
        "message_file": with_file.attachments.get().pk,
    }


@pytest.mark.parametrize("role", [*ROLES, PERSON_IN_A_AND_B])
def test_every_page_through_every_role(world: World, ids, client_for, role: str) -> None:
    if role == PERSON_IN_A_AND_B:
        # One identity with accounts in A and B, A open: exactly what A's member gets.
        client, _in_b = person_in_a_and_b(world)
        role = "member"
    else:
        client = client_for(world.user(role))
    for name, (path, expected) in PAGES.items():
        response = client.get(path.format(**ids))
        if role == "anonymous":
            wanted = 404 if name in FILES else 302
            assert response.status_code == wanted, (name, response.status_code)
            if wanted == 302:
                assert response["Location"].startswith("/accounts/login/"), name
        else:
            assert response.status_code == expected[role], (name, role, response.status_code)
    for name, path in POST_ONLY.items():
        response = client.get(path.format(**ids))
        assert response.status_code in (405, 302) if role == "anonymous" else response.status_code == 405, name


def _names(patterns: list, skip: tuple[str, ...] = ("api/", "accounts/", "i18n/")) -> set[str]:
    found: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if not str(entry.pattern).startswith(skip):
                found |= _names(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            found.add(entry.name)
    return found


def test_every_page_is_in_the_matrix() -> None:
    missing = _names(get_resolver().url_patterns) - set(PAGES) - set(POST_ONLY) - PUBLIC
    assert not missing, f"pages without a role-matrix row: {sorted(missing)}"


def test_from_a_the_person_in_a_and_b_gets_404_for_every_page_of_b(world: World) -> None:
    client, in_b = person_in_a_and_b(world)
    b_post, _ = create_post(in_b, space=world.other_space, body="Only in Globex")
    b_task = create_task(world.other, space=world.other_space, title="Globex task")
    for path in (
        f"/spaces/{world.other_space.pk}/",
        f"/spaces/{world.other_space.pk}/members/",
        f"/posts/{b_post.pk}/",
        f"/people/{in_b.pk}/",
        f"/people/{world.other.pk}/",
        f"/tasks/{b_task.pk}/",
    ):
        assert client.get(path).status_code == 404, path
    home = client.get("/").content.decode()
    # The person's own switcher names B; nothing of B's content shows in A.
    assert "Only in Globex" not in home and "Globex team" not in home
    assert "Only in Globex" not in client.get("/search/?q=Globex").content.decode()


def _without_tokens(html: str) -> str:
    """Without what each response draws afresh: CSRF tokens and the composer's idempotency key."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "", html)


@pytest.mark.parametrize("role", [*ROLES, PERSON_IN_A_AND_B])
def test_the_matrix_holds_with_a_card_cache_warmed_by_someone_who_sees_more(
    world: World, ids, client_for, role: str, settings
) -> None:
    """Issue 17: the owner's visit leaves every card of every page in the cache (feed/cardcache.py); then
    the role's pages answer as the matrix says, and every page with cards is exactly what it is without
    the cache."""
    settings.ALVEOLE_PAGE_CACHE_SECONDS = 600
    owner = client_for(world.owner)
    for path, _expected in PAGES.values():
        owner.get(path.format(**ids))
    test_every_page_through_every_role(world, ids, client_for, role)
    if role == "anonymous":
        return
    client = client_for(world.user("member" if role == PERSON_IN_A_AND_B else role))
    for name, (path, _expected) in PAGES.items():
        settings.ALVEOLE_PAGE_CACHE_SECONDS = 600
        warm = client.get(path.format(**ids))
        if warm.status_code != 200 or warm.streaming or b"data-post-id" not in warm.content:
            continue
        settings.ALVEOLE_PAGE_CACHE_SECONDS = 0
        cold = client.get(path.format(**ids))
        assert _without_tokens(warm.content.decode()) == _without_tokens(cold.content.decode()), (name, role)
