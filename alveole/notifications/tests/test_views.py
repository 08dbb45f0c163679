"""Notification pages: the list, opening one, settings, space mutes and catch-up; the bell in the top bar."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.feed import actions as feed
from alveole.feed.models import PostRead
from alveole.notifications import actions
from alveole.notifications.access import settings_of
from alveole.notifications.models import Kind, Notification, SpaceMute

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def mentioned(world, run_jobs):
    """Olivia mentions Mia in "Everyone": Mia has one unread notification."""
    post, _ = run_jobs(feed.create_post, world.owner, space=world.open_space, body=f"Ready? @{world.member.handle}")
    return post, Notification.objects.get(user=world.member)


def _main(response) -> str:
    return response.content.decode().split('<main id="main"', 1)[1]


# --- the bell ----------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count(world, client_for, mentioned) -> None:
    html = client_for(world.member).get(reverse("spaces")).content.decode()
    assert 'aria-label="Notifications, 1 unread"' in html
    assert 'data-bell-count aria-hidden="true">1</span>' in html
    html = client_for(world.owner).get(reverse("spaces")).content.decode()
    assert 'aria-label="Notifications"' in html and 'data-bell-count aria-hidden="true" hidden' in html


def test_the_bell_costs_one_count_query(world, client_for, mentioned) -> None:
    client = client_for(world.member)
    client.get(reverse("spaces"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("spaces"))
    counts = [q["sql"] for q in ctx.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()


def test_nav_has_catch_up_between_home_and_spaces(world, client_for) -> None:
    html = client_for(world.member).get(reverse("home")).content.decode()
    nav = html.split('class="sidenav"', 1)[1].split("</nav>", 1)[0]
    assert nav.index('href="/"') < nav.index('href="/catch-up/"') < nav.index('href="/spaces/"')
    bottom = html.split('class="bottombar"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/catch-up/"' in bottom


# --- the list --------------------------------------------------------------------------------------


def test_list_shows_the_sentence_and_unread_state(world, client_for, mentioned) -> None:
    _post, notification = mentioned
    main = _main(client_for(world.member).get(reverse("notifications")))
    assert "Olivia Owner mentioned you" in main and "is-unread" in main
    assert reverse("notification_open", args=[notification.pk]) in main
    assert "Mark all as read" in main and "Everyone" in main


def test_list_empty_state_and_bad_cursor(world, client_for) -> None:
    client = client_for(world.member)
    assert "No notifications yet" in _main(client.get(reverse("notifications")))
    response = client.get(reverse("notifications"), {"cursor": "not-a-cursor"})
    assert response.status_code == 400 and "cursor is not valid" in response.content.decode()


def test_list_anonymous_goes_to_sign_in(client) -> None:
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_opening_marks_read_and_goes_to_the_post(world, client_for, mentioned) -> None:
    post, notification = mentioned
    response = client_for(world.member).get(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("post", args=[post.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_reply_goes_to_the_comment_and_space_added_to_the_space(world, client_for, run_jobs) -> None:
    post, _ = feed.create_post(world.member, space=world.open_space, body="Plan")
    comment, _ = run_jobs(feed.create_comment, world.owner, post=post, body="Yes")
    reply = Notification.objects.get(user=world.member, kind=Kind.REPLY)
    client = client_for(world.member)
    location = client.get(reverse("notification_open", args=[reply.pk]))["Location"]
    assert location == reverse("post", args=[post.pk]) + f"#comment-{comment.pk}"
    added = actions.notify(world.member, kind=Kind.SPACE_ADDED, actor=world.owner, space_id=world.private_space.pk)
    assert added is not None
    location = client.get(reverse("notification_open", args=[added.pk]))["Location"]
    assert location == reverse("space_detail", args=[world.private_space.pk])


@pytest.mark.parametrize("who", ["owner", "other"])
def test_someone_elses_notification_is_404_and_stays_unread(world, client_for, mentioned, who) -> None:
    _, notification = mentioned
    response = client_for(world.user(who)).get(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(world, client_for, mentioned) -> None:
    client = client_for(world.member)
    response = client.post(reverse("notifications_read_all"))
    assert response.status_code == 302 and response["Location"] == reverse("notifications")
    assert not Notification.objects.filter(user=world.member, read_at__isnull=True).exists()
    assert client.get(reverse("notifications_read_all")).status_code == 405
    page = client.get(reverse("notifications"))
    assert "Nothing unread." in _main(page) and 'aria-label="Notifications"' in page.content.decode()


def test_mark_all_read_leaves_other_people_alone(world, client_for, mentioned) -> None:
    client_for(world.other).post(reverse("notifications_read_all"))
    assert Notification.objects.filter(user=world.member, read_at__isnull=True).count() == 1


# --- settings ----------------------------------------------------------------------------------------


def test_settings_page_shows_current_choices_and_spaces(world, client_for) -> None:
    main = _main(client_for(world.member).get(reverse("notification_settings")))
    assert 'value="mention"' in main and "checked" in main
    assert "A daily digest" in main and 'type="time"' in main and "Monday" in main
    assert "Everyone" in main and "Client project" in main
    assert reverse("notification_space_mute", args=[world.open_space.pk]) in main


def test_settings_save(world, client_for) -> None:
    response = client_for(world.member).post(
        reverse("notification_settings"),
        {
            "kinds": ["mention", "reply", "task_assigned", "task_due", "decision", "report", "review", "queue"],
            "email_mode": "daily",
            "work_start": "09:30",
            "work_end": "17:00",
            "work_days": ["0", "2", "4"],
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("notification_settings")
    prefs = settings_of(world.member)
    assert sorted(prefs.muted_kinds) == ["reaction", "space_added"]
    assert prefs.email_mode == "daily" and prefs.work_days == [0, 2, 4]
    assert prefs.work_start == datetime.time(9, 30) and prefs.work_end == datetime.time(17, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email_mode": "hourly"}, "Select a valid choice"),
        ({"work_start": "25:99"}, "Enter a valid time"),
        ({"work_start": "18:00", "work_end": "08:00"}, "The working day must end after it starts."),
        ({"work_days": []}, "Choose at least one working day."),
        ({"work_days": ["9"]}, "Select a valid choice"),
        ({"kinds": ["everything"]}, "Select a valid choice"),
    ],
)
def test_settings_bad_input_is_400_and_changes_nothing(world, client_for, data, message) -> None:
    valid = {"kinds": ["mention"], "email_mode": "weekly", "work_start": "08:00", "work_end": "18:00",
             "work_days": ["0"]}  # fmt: skip
    response = client_for(world.member).post(reverse("notification_settings"), {**valid, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert settings_of(world.member).pk is None  # still the unsaved defaults


def test_mute_and_unmute_a_space(world, client_for) -> None:
    client = client_for(world.member)
    url = reverse("notification_space_mute", args=[world.open_space.pk])
    response = client.post(url, {"muted": "on"})
    assert response.status_code == 302
    assert SpaceMute.objects.filter(user=world.member, space=world.open_space).exists()
    assert "Muted" in _main(client.get(reverse("notification_settings")))
    client.post(url, {})
    assert not SpaceMute.objects.filter(user=world.member).exists()
    assert client.get(url).status_code == 405


@pytest.mark.parametrize(
    ("who", "space"), [("guest", "open_space"), ("other", "private_space"), ("member", "other_space")]
)
def test_muting_a_space_one_cannot_see_is_404(world, client_for, who, space) -> None:
    response = client_for(world.user(who)).post(
        reverse("notification_space_mute", args=[getattr(world, space).pk]), {"muted": "on"}
    )
    assert response.status_code == 404
    assert not SpaceMute.objects.exists()


# --- catch-up ------------------------------------------------------------------------------------------


def test_catch_up_lists_what_concerns_me_first_then_spaces(world, client_for, run_jobs, mentioned) -> None:
    post, _ = mentioned
    busy, _ = feed.create_post(world.owner, space=world.private_space, body="Kickoff agenda")
    feed.create_comment(world.owner, post=busy, body="Adding an item")
    main = _main(client_for(world.member).get(reverse("catch_up")))
    assert "Since " in main
    for_me = main.split("data-catchup-for-me", 1)[1].split("</section>", 1)[0]
    assert "Olivia Owner mentioned you" in for_me and "Ready?" in for_me
    rest = main.split("data-catchup-for-me", 1)[1].split("</section>", 1)[1]
    assert "Client project" in rest and "Kickoff agenda" in rest and "1 new post" in rest
    assert f'href="/posts/{busy.pk}/#post-{busy.pk}"' in rest
    assert f'name="post_ids" value="{post.pk}"' in main and f'name="post_ids" value="{busy.pk}"' in main


def test_catch_up_empty_state(world, client_for) -> None:
    main = _main(client_for(world.member).get(reverse("catch_up")))
    assert "You're all caught up" in main and "Mark all as read" not in main


def test_catch_up_done_marks_the_listed_posts_read(world, client_for, mentioned) -> None:
    post, notification = mentioned
    client = client_for(world.member)
    response = client.post(reverse("catch_up_done"), {"post_ids": [str(post.pk)]})
    assert response.status_code == 302 and response["Location"] == reverse("catch_up")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert PostRead.objects.filter(user=world.member, post=post).exists()
    assert settings_of(world.member).caught_up_at is not None
    assert "You're all caught up" in _main(client.get(reverse("catch_up")))


def test_catch_up_done_ignores_posts_of_another_organisation(world, client_for) -> None:
    elsewhere, _ = feed.create_post(world.other, space=world.other_space, body="Globex only")
    response = client_for(world.member).post(reverse("catch_up_done"), {"post_ids": [str(elsewhere.pk)]})
    assert response.status_code == 302
    assert not PostRead.objects.filter(user=world.member).exists()


@pytest.mark.parametrize("ids", [["abc"], ["-3"], ["1.5"], [str(n) for n in range(1, 600)]])
def test_catch_up_done_bad_input_is_400(world, client_for, mentioned, ids) -> None:
    response = client_for(world.member).post(reverse("catch_up_done"), {"post_ids": ids})
    assert response.status_code == 400
    html = response.content.decode()
    assert "reload" in html and 'role="alert"' in html
    assert settings_of(world.member).caught_up_at is None


def test_pages_need_sign_in_and_post_only_where_it_changes_things(client, world, client_for) -> None:
    for name in ("notifications", "notification_settings", "catch_up"):
        assert client.get(reverse(name)).status_code == 302
    assert client.post(reverse("catch_up_done")).status_code == 302
    assert client_for(world.member).get(reverse("catch_up_done")).status_code == 405


# --- the card fragment the live layer fetches ------------------------------------------------------


def test_card_fragment_and_home_feed_check(world, client_for) -> None:
    post, _ = feed.create_post(world.owner, space=world.open_space, body="Fresh news")
    member, nonmember = client_for(world.member), client_for(world.nonmember)
    url = reverse("post", args=[post.pk])
    fragment = member.get(url, {"fragment": "1", "next": "/"})
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html and f'data-post-id="{post.pk}"' in html
    assert member.get(url, {"fragment": "1", "feed": "home", "filter": "all"}).status_code == 200
    assert member.get(url, {"fragment": "1", "feed": "home", "filter": "questions"}).status_code == 204
    # Noah can see the open space but is not in it: the post is not part of his home feed.
    assert nonmember.get(url, {"fragment": "1", "feed": "home"}).status_code == 204
    assert member.get(url, {"fragment": "1", "feed": "home", "filter": "galaxy"}).status_code == 400
    assert client_for(world.other).get(url, {"fragment": "1"}).status_code == 404
