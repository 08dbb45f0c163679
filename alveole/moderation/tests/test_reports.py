"""Reports: grouped per item, settled by the item's moderators, audited, and a hidden item seen
only by its author and its moderators — on pages, through the API and live."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from alveole.core.errors import Conflict, Invalid, NotFound, RateLimited
from alveole.core.models import AuditEvent
from alveole.factories import MembershipFactory
from alveole.feed import actions as feed_actions
from alveole.feed.models import Post
from alveole.live.models import Event
from alveole.moderation import actions
from alveole.moderation.access import get_report_for
from alveole.moderation.models import Report, Reporter, Status
from alveole.moderation.selectors import queue
from alveole.notifications.models import Kind, Notification
from alveole.notifications.selectors import describe
from alveole.realtime.ws import backlog
from alveole.spaces.access import visible_spaces

pytestmark = pytest.mark.django_db
HIDDEN_MARK = "Hidden by a moderator"


@pytest.fixture
def scene(world):
    """In the private space: Mia (member) wrote a post and a comment; Noah is another plain member;
    Olivia (owner) manages the space; Gina is a guest of it."""
    MembershipFactory.create(space=world.private_space, user=world.nonmember)
    post, _ = feed_actions.create_post(world.member, space=world.private_space, body="Buy cheap watches")
    comment, _ = feed_actions.create_comment(world.member, post=post, body="Really cheap")
    world.post, world.comment = post, comment
    return world


def test_reports_of_one_item_are_grouped_and_a_second_report_updates_the_first(scene):
    first = actions.report_item(scene.guest, post=scene.post, reason="spam", note="Ads")
    again = actions.report_item(scene.guest, post=scene.post, reason="harassment", note="Rude too")
    other = actions.report_item(scene.nonmember, post=scene.post, reason="spam")
    assert first.pk == again.pk == other.pk
    assert Report.objects.count() == 1
    assert Reporter.objects.get(report=first, user=scene.guest).reason == "harassment"
    # The comment is another item: its own report.
    on_comment = actions.report_item(scene.guest, comment=scene.comment, reason="off_topic")
    assert on_comment.pk != first.pk
    items = {row.report.pk: row for row in queue(scene.owner)}
    assert items[first.pk].count == 2
    assert dict(items[first.pk].reasons) == {"Spam or advertising": 1, "Harassment or hateful content": 1}
    # Once settled, a new report opens a new group.
    actions.dismiss_report(scene.owner, report=get_report_for(scene.owner, first.pk))
    assert actions.report_item(scene.nonmember, post=scene.post, reason="spam").pk != first.pk


def test_reporting_checks_the_reason_the_note_the_reporter_and_what_they_can_see(scene):
    with pytest.raises(Invalid):
        actions.report_item(scene.guest, post=scene.post, reason="boring")
    with pytest.raises(Invalid):
        actions.report_item(scene.guest, post=scene.post, reason="spam", note="x" * 1001)
    with pytest.raises(Invalid):
        actions.report_item(scene.member, post=scene.post, reason="spam")  # one's own post
    with pytest.raises(NotFound):
        actions.report_item(scene.admin, post=scene.post, reason="spam")  # not in the private space
    with pytest.raises(NotFound):
        actions.report_item(scene.other, comment=scene.comment, reason="spam")
    assert not Report.objects.exists()


def test_reports_are_rate_limited(scene, api_client_for, monkeypatch):
    monkeypatch.setattr(actions, "REPORTS_PER_HOUR", 2)
    actions.report_item(scene.guest, post=scene.post, reason="spam")
    actions.report_item(scene.guest, comment=scene.comment, reason="spam")
    with pytest.raises(RateLimited):
        actions.report_item(scene.guest, post=scene.post, reason="other")
    response = api_client_for(scene.guest).post(
        f"/api/v1/posts/{scene.post.pk}/report", data=json.dumps({"reason": "spam"}), content_type="application/json"
    )
    assert response.status_code == 429


def test_only_the_spaces_managers_and_the_admins_see_and_settle_reports(scene):
    report = actions.report_item(scene.guest, post=scene.post, reason="spam")
    for person in (scene.member, scene.nonmember, scene.guest, scene.other):
        with pytest.raises(NotFound):
            get_report_for(person, report.pk)
        assert queue(person) == []
    # Admins moderate the spaces they can see: not this private one, which the admin is not in.
    with pytest.raises(NotFound):
        get_report_for(scene.admin, report.pk)
    assert [row.report.pk for row in queue(scene.owner)] == [report.pk]
    # On a profile post, the admins.
    profile_post, _ = feed_actions.create_post(scene.member, space=None, body="My own page")
    on_profile = actions.report_item(scene.nonmember, post=profile_post, reason="other")
    assert get_report_for(scene.admin, on_profile.pk).pk == on_profile.pk
    with pytest.raises(NotFound):
        get_report_for(scene.member, on_profile.pk)
    actions.hide_reported(scene.admin, report=get_report_for(scene.admin, on_profile.pk))
    assert Post.objects.get(pk=profile_post.pk).hidden_at is not None


def test_every_step_is_audited_and_each_report_settles_once(scene):
    report = actions.report_item(scene.guest, post=scene.post, reason="spam", note="Ads")
    report = get_report_for(scene.owner, report.pk)
    actions.hide_reported(scene.owner, report=report)
    with pytest.raises(Conflict):
        actions.dismiss_report(scene.owner, report=report)
    actions.unhide_reported(scene.owner, report=report)
    second = get_report_for(scene.owner, actions.report_item(scene.nonmember, post=scene.post, reason="spam").pk)
    actions.delete_reported(scene.owner, report=second)
    rows = list(AuditEvent.objects.filter(action__startswith="report.").order_by("id").values_list("action", "actor"))
    assert rows == [
        ("report.create", scene.guest.pk),
        ("report.hide", scene.owner.pk),
        ("report.unhide", scene.owner.pk),
        ("report.create", scene.nonmember.pk),
        ("report.delete", scene.owner.pk),
    ]
    assert AuditEvent.objects.filter(action="post.delete", target_id=scene.post.pk).exists()
    assert Post.objects.get(pk=scene.post.pk).deleted_at is not None
    assert Report.objects.get(pk=second.pk).status == Status.DELETED


def test_reporters_are_told_the_outcome(scene):
    on_comment = actions.report_item(scene.guest, comment=scene.comment, reason="off_topic")
    report = actions.report_item(scene.guest, post=scene.post, reason="spam")
    actions.report_item(scene.nonmember, post=scene.post, reason="spam")
    actions.hide_reported(scene.owner, report=get_report_for(scene.owner, report.pk))
    for person in (scene.guest, scene.nonmember):
        note = Notification.objects.select_related("post", "comment", "actor").get(user=person, kind=Kind.REPORT)
        assert describe(note) == "A moderator hid something you reported"
    assert not Notification.objects.filter(user=scene.member, kind=Kind.REPORT).exists()
    actions.dismiss_report(scene.owner, report=get_report_for(scene.owner, on_comment.pk))
    note = Notification.objects.select_related("post", "comment").get(
        user=scene.guest, kind=Kind.REPORT, comment=scene.comment
    )
    assert describe(note) == "A moderator reviewed your report and left it in place"


def _hide(scene):
    report = actions.report_item(scene.guest, post=scene.post, reason="spam")
    actions.hide_reported(scene.owner, report=get_report_for(scene.owner, report.pk))


def test_report_then_hide_author_and_managers_still_see_it_marked_others_do_not_pages(scene, client_for):
    _hide(scene)
    space_page = reverse("space_detail", args=[scene.private_space.pk])
    post_page = reverse("post", args=[scene.post.pk])
    for person in (scene.member, scene.owner):
        client = client_for(person)
        for url in (space_page, post_page, "/"):
            if url == "/" and person == scene.owner:
                continue  # the owner's home feed need not hold a post of a space they manage
            body = client.get(url).content.decode()
            assert "Buy cheap watches" in body and HIDDEN_MARK in body, (person, url)
    for person in (scene.nonmember, scene.guest):
        client = client_for(person)
        for url in (space_page, "/"):
            assert "Buy cheap watches" not in client.get(url).content.decode(), (person, url)
        assert client.get(post_page).status_code == 404
    assert client_for(scene.admin).get(post_page).status_code == 404


def test_a_hidden_comment_shows_only_to_its_author_and_moderators(scene, client_for, api_client_for):
    report = actions.report_item(scene.guest, comment=scene.comment, reason="harassment")
    actions.hide_reported(scene.owner, report=get_report_for(scene.owner, report.pk))
    post_page = reverse("post", args=[scene.post.pk])
    for person in (scene.member, scene.owner):
        body = client_for(person).get(post_page).content.decode()
        assert "Really cheap" in body and HIDDEN_MARK in body
        comments = api_client_for(person).get(f"/api/v1/posts/{scene.post.pk}/comments").json()
        assert [c["hidden"] for c in comments] == [True]
    for person in (scene.nonmember, scene.guest):
        assert "Really cheap" not in client_for(person).get(post_page).content.decode()
        assert api_client_for(person).get(f"/api/v1/posts/{scene.post.pk}/comments").json() == []


def test_hidden_through_the_api(scene, api_client_for):
    _hide(scene)
    for person in (scene.member, scene.owner):
        client = api_client_for(person)
        assert client.get(f"/api/v1/posts/{scene.post.pk}").json()["hidden"] is True
        feed = client.get(f"/api/v1/spaces/{scene.private_space.pk}/posts").json()
        assert [p["id"] for p in feed["items"]] == [scene.post.pk]
    for person in (scene.nonmember, scene.guest):
        client = api_client_for(person)
        assert client.get(f"/api/v1/posts/{scene.post.pk}").status_code == 404
        assert client.get(f"/api/v1/spaces/{scene.private_space.pk}/posts").json()["items"] == []
        assert client.get(f"/api/v1/posts/{scene.post.pk}/comments").status_code == 404
    # The queue shows it for showing again; the moderators settle it through the API too.
    reports = api_client_for(scene.owner).get("/api/v1/reports").json()["items"]
    assert [(r["status"], r["count"], r["reasons"]) for r in reports] == [("hidden", 1, {"spam": 1})]
    response = api_client_for(scene.owner).post(f"/api/v1/reports/{reports[0]['id']}/unhide")
    assert response.json() == {"id": reports[0]["id"], "status": "dismissed"}
    assert api_client_for(scene.guest).get(f"/api/v1/posts/{scene.post.pk}").status_code == 200


def _live(person, after: int) -> list[dict]:
    spaces = set(visible_spaces(person).values_list("pk", flat=True))
    messages, _last, _resync = backlog(person.pk, person.organisation_id, person.is_guest, spaces, after)
    # The feed's events only (the bell's count changes too, for the reporters).
    return [m for m in map(json.loads, messages) if m["type"].startswith(("post.", "comment."))]


def test_hidden_live_others_drop_it_and_later_changes_reach_only_author_and_managers(scene):
    start = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    _hide(scene)
    for person in (scene.member, scene.owner, scene.nonmember, scene.guest):
        types = [m["type"] for m in _live(person, start)]
        assert types == ["post.hidden"], (person, types)  # each page asks for the card again
    after_hide = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    post = Post.objects.get(pk=scene.post.pk)
    feed_actions.edit_post(scene.member, post=post, body="Buy cheap watches now")
    feed_actions.create_comment(scene.owner, post=post, body="Hidden, sorry")
    for person in (scene.member, scene.owner):
        types = [m["type"] for m in _live(person, after_hide)]
        assert types == ["post.updated", "comment.created"], (person, types)
    for person in (scene.nonmember, scene.guest):
        assert _live(person, after_hide) == [], person


def test_the_pages_report_and_settle(scene, client_for):
    response = client_for(scene.guest).post(
        reverse("report_post", args=[scene.post.pk]), {"reason": "spam", "note": "Ads", "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    response = client_for(scene.guest).post(reverse("report_comment", args=[scene.comment.pk]), {"reason": "nope"})
    assert response.status_code == 400
    report = Report.objects.get()
    page = client_for(scene.owner).get(reverse("moderation_queue")).content.decode()
    assert "Buy cheap watches" in page and "Reported once" in page and "Ads" in page
    assert client_for(scene.member).get(reverse("moderation_queue")).status_code == 404
    settle = reverse("moderation_settle", args=[report.pk, "hide"])
    assert client_for(scene.nonmember).post(settle).status_code == 404
    assert client_for(scene.owner).post(settle).status_code == 302
    assert Post.objects.get(pk=scene.post.pk).hidden_at is not None
