"""Web Push end to end: a device subscribes through the API, something happens, the job sends the push to a push
service run by the test (push_service.py), which checks the VAPID signature and decrypts what the device would
show."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from alveole.core.tests.test_translations import compiled_french  # noqa: F401 (a fixture)
from alveole.core.worker import JobWorker
from alveole.factories import UserFactory
from alveole.feed import actions as feed
from alveole.notifications import actions, jobs, push, vapid
from alveole.notifications.models import Kind, Notification, PushDelivery, PushState, PushSubscription
from alveole.spaces.models import Label
from alveole.testing import person_in_a_and_b

from .push_service import PushService, b64decode

pytestmark = pytest.mark.django_db

WEDNESDAY_10 = datetime.datetime(2030, 1, 9, 10, 0, tzinfo=datetime.UTC)
SATURDAY_10 = datetime.datetime(2030, 1, 12, 10, 0, tzinfo=datetime.UTC)
MONDAY_9 = datetime.datetime(2030, 1, 14, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def service(settings):
    settings.ALVEOLE_PUSH_ALLOW_INSECURE_ENDPOINTS = True  # the test's push service listens on loopback, over http
    with PushService() as running:
        yield running
    assert not running.errors, running.errors  # every push was signed and encrypted as a push service requires


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def mia(world):
    world.member.handle = "mia"
    world.member.save()
    return world.member


def subscribe(api_client_for, user, device):
    answer = api_client_for(user).post(
        "/api/v1/push/subscriptions", device.subscription_json(), content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def mention(run_jobs, world, body="@mia can you look at the launch plan?", **kwargs):
    post, _ = run_jobs(feed.create_post, world.owner, space=world.open_space, body=body, **kwargs)
    return post


def test_a_mention_is_pushed_signed_and_encrypted_to_the_device(world, mia, service, api_client_for, run_jobs):
    phone = service.device("mia-phone")
    subscribe(api_client_for, mia, phone)
    with time_machine.travel(WEDNESDAY_10, tick=True):
        post = mention(run_jobs, world)
    [sent] = service.received
    line = Notification.objects.get(user=mia, kind=Kind.MENTION, post=post)
    assert sent.message == {
        "title": "Alvéole",
        "body": "Olivia Owner mentioned you",
        "url": f"/notifications/{line.pk}/",
        "tag": f"notification-{line.pk}",
        "icon": "/static/alveole/favicon.svg",
    }
    assert sent.vapid_key == vapid.application_server_key()  # signed with the key the browser was given
    assert sent.claims["sub"] == "mailto:alveole@localhost"
    assert int(sent.ttl) > 0
    device = PushSubscription.objects.get(user=mia)
    assert device.last_success_at is not None and device.device == "Test browser"
    assert PushDelivery.objects.get(notification=line).state == PushState.SENT


def test_pushes_wait_for_working_hours(world, mia, service, api_client_for, run_jobs):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    with time_machine.travel(SATURDAY_10, tick=True):
        mention(run_jobs, world)
        jobs.send_held_pushes.call()
    assert service.received == []
    assert PushDelivery.objects.get().state == PushState.PENDING
    with time_machine.travel(MONDAY_9, tick=True):
        jobs.send_held_pushes.call()
        jobs.send_held_pushes.call()
    [sent] = service.received
    assert sent.message["body"] == "Olivia Owner mentioned you"


def test_the_persons_time_zone_decides_their_working_hours(world, mia, service, api_client_for, run_jobs):
    mia.time_zone = "Pacific/Auckland"  # Wednesday 10:00 UTC is 23:00 there
    mia.save()
    subscribe(api_client_for, mia, service.device("mia-phone"))
    with time_machine.travel(WEDNESDAY_10, tick=True):
        mention(run_jobs, world)
    assert service.received == []


def test_a_line_read_in_the_app_meanwhile_is_not_pushed(world, mia, service, api_client_for, run_jobs):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    with time_machine.travel(SATURDAY_10, tick=True):
        mention(run_jobs, world)
    actions.mark_all_read(mia)
    with time_machine.travel(MONDAY_9, tick=True):
        jobs.send_held_pushes.call()
    assert service.received == []
    assert PushDelivery.objects.get().state == PushState.DROPPED


def test_restricted_content_is_pushed_as_a_placeholder(world, mia, service, api_client_for, run_jobs):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    secret = Label.objects.get(organisation=world.org, restricted=True)
    with time_machine.travel(WEDNESDAY_10, tick=True):
        post = mention(run_jobs, world, body="@mia the acquisition of Initech closes Friday", label=secret)
    [sent] = service.received
    line = Notification.objects.get(user=mia, post=post)
    assert sent.message["body"] == "New activity in Alvéole"
    assert sent.message["url"] == f"/notifications/{line.pk}/"
    assert "Olivia" not in json.dumps(sent.message) and "Initech" not in json.dumps(sent.message)


def test_a_restricted_space_is_pushed_as_a_placeholder_too(world, mia, service, api_client_for, run_jobs):
    world.open_space.label = Label.objects.get(organisation=world.org, restricted=True)
    world.open_space.save()
    subscribe(api_client_for, mia, service.device("mia-phone"))
    with time_machine.travel(WEDNESDAY_10, tick=True):
        mention(run_jobs, world)
    [sent] = service.received
    assert sent.message["body"] == "New activity in Alvéole"


def test_a_direct_message_is_always_a_placeholder(world, mia, service, api_client_for):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    line = Notification.objects.create(user=mia, organisation=world.org, kind="direct_message", actor=world.owner)
    with time_machine.travel(WEDNESDAY_10, tick=True):
        assert push.deliver(line.pk) == 1
    [sent] = service.received
    assert sent.message["body"] == "New activity in Alvéole" and "Olivia" not in json.dumps(sent.message)


@pytest.mark.usefixtures("compiled_french")
def test_pushes_speak_the_persons_language(world, mia, service, api_client_for, run_jobs):
    mia.language = "fr"
    mia.save()
    subscribe(api_client_for, mia, service.device("mia-phone"))
    with time_machine.travel(WEDNESDAY_10, tick=True):
        mention(run_jobs, world)
    [sent] = service.received
    assert sent.message["body"] == "Olivia Owner a fait mention de vous"


@pytest.mark.parametrize("status", [404, 410])
def test_an_expired_subscription_is_removed(world, mia, service, api_client_for, run_jobs, status):
    phone, laptop = service.device("mia-phone"), service.device("mia-laptop")
    subscribe(api_client_for, mia, phone)
    subscribe(api_client_for, mia, laptop)
    service.answers["/push/mia-phone"] = [status]
    with time_machine.travel(WEDNESDAY_10, tick=True):
        mention(run_jobs, world)
    assert [p.path for p in service.received] == ["/push/mia-laptop"]
    assert list(PushSubscription.objects.filter(user=mia).values_list("endpoint", flat=True)) == [laptop.endpoint]


def test_a_push_is_sent_once_however_often_its_job_runs(world, mia, service, api_client_for, run_jobs):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    with time_machine.travel(WEDNESDAY_10, tick=True):
        post = mention(run_jobs, world)
        line = Notification.objects.get(user=mia, post=post)
        jobs.deliver_push.call(line.pk)  # the worker gave the job back and ran it again
        jobs.deliver_push.call(line.pk)
        jobs.send_held_pushes.call()
    assert len(service.hits) == 1 and len(service.received) == 1
    assert PushDelivery.objects.filter(notification=line).count() == 1


def test_a_push_claimed_by_a_run_that_died_is_not_sent_again(world, mia, service, api_client_for):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    line = Notification.objects.create(user=mia, organisation=world.org, kind=Kind.MENTION, actor=world.owner)
    with time_machine.travel(SATURDAY_10, tick=True):
        push.deliver(line.pk)  # queued, held
    PushDelivery.objects.update(state=PushState.SENDING)  # a worker claimed it, then died mid-send
    with time_machine.travel(MONDAY_9, tick=True):
        push.deliver(line.pk)
        jobs.send_held_pushes.call()
    assert service.hits == []


def test_a_push_service_that_fails_is_retried_until_it_takes_the_push(world, mia, service, api_client_for, run_jobs):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    service.answers["/push/mia-phone"] = [500, 503]
    with time_machine.travel(WEDNESDAY_10, tick=True):
        mention(run_jobs, world)
        assert PushDelivery.objects.get().state == PushState.PENDING
        jobs.send_held_pushes.call()
        jobs.send_held_pushes.call()
        jobs.send_held_pushes.call()
    assert len(service.hits) == 3 and len(service.received) == 1
    assert PushDelivery.objects.get().state == PushState.SENT


def test_kinds_not_chosen_are_not_pushed(world, mia, service, api_client_for, run_jobs):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    answer = api_client_for(mia).put(
        "/api/v1/push/settings", {"kinds": ["task_assigned", "decision"]}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["kinds"] == ["decision", "task_assigned"]
    with time_machine.travel(WEDNESDAY_10, tick=True):
        mention(run_jobs, world)
    assert service.hits == []
    assert Notification.objects.filter(user=mia, kind=Kind.MENTION).exists()  # still in the app


def test_a_device_turned_off_receives_nothing(world, mia, service, api_client_for, run_jobs):
    phone = service.device("mia-phone")
    subscribe(api_client_for, mia, phone)
    client = api_client_for(mia)
    answer = client.delete("/api/v1/push/subscriptions", {"endpoint": phone.endpoint}, content_type="application/json")
    assert answer.status_code == 204
    assert client.delete(
        "/api/v1/push/subscriptions", {"endpoint": phone.endpoint}, content_type="application/json"
    ).status_code == 204  # fmt: skip
    with time_machine.travel(WEDNESDAY_10, tick=True):
        mention(run_jobs, world)
    assert service.hits == []


def test_another_organisations_subscription_is_never_used(world, mia, service, api_client_for, run_jobs):
    _client, mia_in_b = person_in_a_and_b(world)
    subscribe(api_client_for, mia_in_b, service.device("mia-in-b"))  # the same person, in organisation B
    subscribe(api_client_for, world.other, service.device("oscar"))
    with time_machine.travel(WEDNESDAY_10, tick=True):
        mention(run_jobs, world)
    assert service.hits == []
    # Nor may anyone remove someone else's device: the endpoint is looked up among their own.
    api_client_for(mia).delete(
        "/api/v1/push/subscriptions", {"endpoint": f"{service.origin}/push/oscar"}, content_type="application/json"
    )
    assert PushSubscription.objects.filter(user=world.other).exists()


def test_an_unread_line_is_pushed_once_however_many_join_it(world, mia, service, api_client_for, run_jobs):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    post, _ = feed.create_post(mia, space=world.open_space, body="Launch day")
    fan = UserFactory.create(organisation=world.org)
    with time_machine.travel(WEDNESDAY_10, tick=True):
        for person in (world.owner, fan):
            run_jobs(actions.notify, mia, kind=Kind.MENTION, actor=person, post_id=post.pk)
    assert len(service.received) == 1


# --- the API's answers to bad input ---


def test_the_public_key_is_the_servers(world, api_client_for):
    answer = api_client_for(world.member).get("/api/v1/push/key")
    assert answer.status_code == 200
    key = answer.json()["public_key"]
    assert key == vapid.application_server_key() and len(b64decode(key)) == 65
    assert vapid.key_file().stat().st_mode & 0o077 == 0  # only its owner reads the private key


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"keys": {"p256dh": "not-a-key", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "p256dh"),
        ({"keys": {"p256dh": None, "auth": "short"}}, "auth"),
        ({"endpoint": "ftp://push.example/x"}, "endpoint"),
    ],
)
def test_bad_subscriptions_are_refused_with_a_reason(world, service, api_client_for, change, field):
    body = service.device("x").subscription_json()
    for key, value in change.items():
        body[key] = {**body[key], **{k: v for k, v in value.items() if v}} if isinstance(value, dict) else value
    answer = api_client_for(world.member).post("/api/v1/push/subscriptions", body, content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert field in json.dumps(answer.json())
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("endpoint", ["http://push.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x"])
def test_endpoints_on_private_networks_or_without_tls_are_refused(world, api_client_for, endpoint):
    body = {"endpoint": endpoint, "keys": {"p256dh": "x", "auth": "y"}}
    answer = api_client_for(world.member).post("/api/v1/push/subscriptions", body, content_type="application/json")
    assert answer.status_code == 400 and "endpoint" in json.dumps(answer.json())


def test_unknown_kinds_are_refused(world, api_client_for):
    answer = api_client_for(world.member).put(
        "/api/v1/push/settings", {"kinds": ["mention", "gossip"]}, content_type="application/json"
    )
    assert answer.status_code == 400 and "kinds" in json.dumps(answer.json())


# --- the settings page ---


def test_the_settings_page_offers_push_and_saves_the_kinds(world, client_for):
    client = client_for(world.member)
    html = client.get("/notifications/settings/").content.decode()
    assert 'id="push"' in html and "Turn on push on this device" in html and "alveole/push.js" in html
    assert 'data-key-url="/api/v1/push/key"' in html
    answer = client.post("/notifications/settings/push/", {"push_kinds": ["mention", "direct_message"]})
    assert answer.status_code == 302 and answer["Location"].endswith("#push")
    assert push.push_kinds_of(world.member) == ["direct_message", "mention"]
    assert client.post("/notifications/settings/push/", {"push_kinds": ["gossip"]}).status_code == 400


def test_a_device_is_stopped_from_the_page_by_its_owner_only(world, service, client_for, api_client_for):
    device = subscribe(api_client_for, world.member, service.device("mia-phone"))
    assert (
        client_for(world.owner).post(f"/notifications/settings/push/devices/{device['id']}/remove/").status_code == 404
    )
    assert (
        client_for(world.other).post(f"/notifications/settings/push/devices/{device['id']}/remove/").status_code == 404
    )
    html = client_for(world.member).get("/notifications/settings/").content.decode()
    assert "Test browser" in html and "no push yet" in html
    answer = client_for(world.member).post(f"/notifications/settings/push/devices/{device['id']}/remove/")
    assert answer.status_code == 302
    assert not PushSubscription.objects.exists()


def test_a_person_has_a_bounded_number_of_devices(world, service, api_client_for):
    client = api_client_for(world.member)
    for n in range(actions.MAX_PUSH_DEVICES):
        body = service.device(f"d{n}").subscription_json()
        assert client.post("/api/v1/push/subscriptions", body, content_type="application/json").status_code == 201
    again = client.post("/api/v1/push/subscriptions", body, content_type="application/json")
    assert again.status_code == 201  # the same device subscribing again: its keys are updated
    extra = client.post(
        "/api/v1/push/subscriptions", service.device("one-more").subscription_json(), content_type="application/json"
    )
    assert extra.status_code == 400 and "stop one" in extra.json()["message"]


def test_a_kind_push_does_not_know_is_pushed_as_a_placeholder(world, mia, service, api_client_for):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    line = Notification.objects.create(user=mia, organisation=world.org, kind="mention", actor=world.owner)
    Notification.objects.filter(pk=line.pk).update(kind="brand_new_kind")
    actions.update_push_kinds(mia, kinds=["mention"])
    with time_machine.travel(WEDNESDAY_10, tick=True):
        assert push.deliver(line.pk) == 0  # not a kind the person chose to push
    assert service.hits == []
    line.kind = "brand_new_kind"
    assert push.payload(line)["body"] == "New activity in Alvéole"


# --- through the real job queue (tests/test_worker.py's set-up) ---

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker() -> None:
    JobWorker(worker_id="push-test", interval=0, max_jobs=50, stop_when_empty=True).run()


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_the_push_once_even_when_its_job_runs_again(world, mia, service, settings, api_client_for):
    settings.TASKS = DB_QUEUE
    subscribe(api_client_for, mia, service.device("mia-phone"))
    with time_machine.travel(WEDNESDAY_10, tick=True):
        feed.create_post(world.owner, space=world.open_space, body="@mia see the plan")
        run_worker()  # the mention job writes the line, and the push job with it; then the push job runs
        line = Notification.objects.get(user=mia, kind=Kind.MENTION)
        assert DBTaskResult.objects.filter(task_path__endswith="deliver_push", status="SUCCESSFUL").count() == 1
        jobs.deliver_push.enqueue(line.pk)  # as if the worker had lost its lease and the job were run again
        run_worker()
    assert len(service.received) == 1 and service.received[0].message["body"] == "Olivia Owner mentioned you"


@pytest.mark.django_db(transaction=True)
def test_no_push_job_without_its_line(world, mia, service, settings, api_client_for):
    settings.TASKS = DB_QUEUE
    subscribe(api_client_for, mia, service.device("mia-phone"))
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.notify(mia, kind=Kind.MENTION, actor=world.owner, space_id=world.open_space.pk)
        assert DBTaskResult.objects.filter(task_path__endswith="deliver_push").count() == 1
        raise RuntimeError("the change is rolled back")
    assert not DBTaskResult.objects.filter(task_path__endswith="deliver_push").exists()
    assert not Notification.objects.exists()


def test_the_key_is_made_once_and_kept(settings, tmp_path):
    settings.ALVEOLE_VAPID_PRIVATE_KEY_FILE = tmp_path / "keys" / "vapid_private.pem"
    first = vapid.application_server_key()
    assert vapid.ensure_key() == settings.ALVEOLE_VAPID_PRIVATE_KEY_FILE
    assert vapid.application_server_key() == first  # not made again
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["vapid_private.pem"]  # no temporary file left
    assert settings.ALVEOLE_VAPID_PRIVATE_KEY_FILE.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (Kind.TASK_ASSIGNED, "Olivia Owner assigned you a task in Client project"),
        (Kind.DECISION, "Olivia Owner is waiting for your vote before it closes"),
    ],
)
def test_tasks_and_votes_are_pushed_too(world, service, api_client_for, run_jobs, kind, text):
    subscribe(api_client_for, world.member, service.device("mia-phone"))
    with time_machine.travel(WEDNESDAY_10, tick=True):
        run_jobs(actions.notify, world.member, kind=kind, actor=world.owner, space_id=world.private_space.pk)
        run_jobs(actions.notify, world.member, kind=Kind.REACTION, actor=world.owner, space_id=world.private_space.pk)
    assert [p.message["body"] for p in service.received] == [text]  # reactions are not a kind that pushes


def test_a_held_push_of_a_kind_switched_off_meanwhile_is_dropped(world, mia, service, api_client_for, run_jobs):
    subscribe(api_client_for, mia, service.device("mia-phone"))
    with time_machine.travel(SATURDAY_10, tick=True):
        mention(run_jobs, world)
    actions.update_push_kinds(mia, kinds=["decision"])
    with time_machine.travel(MONDAY_9, tick=True):
        jobs.send_held_pushes.call()
    assert service.hits == [] and PushDelivery.objects.get().state == PushState.DROPPED
