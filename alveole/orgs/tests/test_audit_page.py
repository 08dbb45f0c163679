"""The audit page's filters and downloads, the same filters on the API, and refusals on record."""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alveole.accounts.models import Role
from alveole.core import audit
from alveole.core.errors import PermissionDenied
from alveole.core.models import AuditEvent
from alveole.exports.actions import request_export
from alveole.factories import TEST_PASSWORD
from alveole.orgs import actions, audit_export

pytestmark = pytest.mark.django_db

CELL = re.compile(r'<td[^>]*data-label="(Who|What)">(.*?)</td>', re.S)


def _shown(page: str) -> list[tuple[str, str]]:
    """(who, what) of each row of the audit page, as a person reads them."""
    cells = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", text))).strip() for _, text in CELL.findall(page)]
    return list(zip(cells[::2], cells[1::2], strict=True))


def _history(world) -> None:
    actions.change_role(world.owner, member=world.member, role=Role.ADMIN)
    actions.change_role(world.admin, member=world.nonmember, role=Role.GUEST)
    actions.deactivate_member(world.owner, member=world.nonmember)
    audit.record("space.update", actor=world.owner, target=world.open_space)
    audit.record("space.update", actor=world.admin, target=world.private_space, label='=HYPERLINK("x"), "quoted"')


def test_denied_role_changes_deactivations_and_exports_are_recorded(world, api_client_for) -> None:
    with pytest.raises(PermissionDenied):
        actions.change_role(world.member, member=world.nonmember, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        actions.change_role(world.admin, member=world.member, role=Role.OWNER)  # only owners make owners
    with pytest.raises(PermissionDenied):
        actions.deactivate_member(world.admin, member=world.owner)
    with pytest.raises(PermissionDenied):
        request_export(world.member, space=None, password=TEST_PASSWORD)
    with pytest.raises(PermissionDenied):
        request_export(world.nonmember, space=world.open_space, password=TEST_PASSWORD)
    denied = AuditEvent.objects.filter(action__endswith=".denied").order_by("id")
    assert [(e.action, e.actor_id, e.target_label) for e in denied] == [
        ("member.role.denied", world.member.pk, world.nonmember.full_name),
        ("member.role.denied", world.admin.pk, world.member.full_name),
        ("member.deactivate.denied", world.admin.pk, world.owner.full_name),
        ("export.request.denied", world.member.pk, str(world.org)),
        ("export.request.denied", world.nonmember.pk, str(world.open_space)),
    ]
    assert all(e.organisation_id == world.org.pk and e.data["reason"] for e in denied)
    world.member.refresh_from_db()
    assert world.member.role == Role.MEMBER  # the change itself was rolled back, its refusal stays
    # Through a request too: nothing around the action rolls the row back.
    response = api_client_for(world.member).post(f"/api/v1/members/{world.nonmember.pk}/deactivate")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="member.deactivate.denied", actor=world.member).exists()


def test_admins_filter_by_person_action_space_and_days(world, client_for) -> None:
    _history(world)
    client = client_for(world.admin)
    url = reverse("org_audit")

    by_person = _shown(client.get(url, {"person": world.admin.pk}).content.decode())
    assert by_person and {who for who, _ in by_person} == {world.admin.full_name}
    by_action = _shown(client.get(url, {"action": "member.deactivate"}).content.decode())
    assert by_action == [(world.owner.full_name, f"deactivated {world.nonmember.full_name}")]
    by_space = _shown(client.get(url, {"space": world.open_space.pk}).content.decode())
    assert by_space == [(world.owner.full_name, f"edited the space {world.open_space.name}")]

    today = timezone.localdate()
    assert len(_shown(client.get(url, {"since": today, "until": today}).content.decode())) >= 5
    yesterday = today - datetime.timedelta(days=1)
    page = client.get(url, {"until": yesterday}).content.decode()
    assert _shown(page) == [] and "No entries match these filters." in page


@pytest.mark.parametrize(
    "query",
    [{"since": "9999-01-01"}, {"since": "2026-02-03", "until": "2026-02-01"}, {"person": "abc"}, {"action": "nope"}],
)
def test_a_wrong_filter_is_a_clear_400(world, client_for, query) -> None:
    response = client_for(world.owner).get(reverse("org_audit"), query)
    assert response.status_code == 400
    assert client_for(world.owner).get(reverse("org_audit_csv"), query).status_code == 400


def test_the_csv_parses_and_matches_the_page(world, client_for) -> None:
    _history(world)
    client = client_for(world.owner)
    query = {"person": world.admin.pk}
    shown = _shown(client.get(reverse("org_audit"), query).content.decode())

    response = client.get(reverse("org_audit_csv"), query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["time", "person", "action label", "action", "target", "details"]
    assert [(r["person"], f"{r['action label']} {r['target'].removeprefix(chr(39))}".strip()) for r in rows] == shown
    assert all(datetime.datetime.fromisoformat(r["time"]) for r in rows)
    # A label that would run as a spreadsheet formula is kept as text.
    assert any(r["target"].startswith("'=HYPERLINK") for r in rows)
    denied = next(r for r in rows if r["action"] == "member.role")
    assert json.loads(denied["details"]) == {"after": "guest", "before": "member"}


def test_the_json_matches_the_page(world, client_for) -> None:
    _history(world)
    client = client_for(world.owner)
    query = {"action": "member.role"}
    shown = _shown(client.get(reverse("org_audit"), query).content.decode())
    response = client.get(reverse("org_audit_json"), query)
    rows = json.loads(b"".join(response.streaming_content))
    assert [(r["person"], f"{r['action_label']} {r['target']}") for r in rows] == shown
    assert {r["action"] for r in rows} == {"member.role"}


def test_downloads_stream_one_query_per_batch(world, client_for, monkeypatch) -> None:
    for i in range(7):
        audit.record("org.update", actor=world.owner, organisation=world.org, label=f"#{i}")
    monkeypatch.setattr(audit_export, "BATCH", 3)
    response = client_for(world.owner).get(reverse("org_audit_csv"), {"action": "org.update"})
    with CaptureQueriesContext(connection) as queries:
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 7
    assert len(queries) == 3  # 3 + 3 + 1 rows, each batch with its people in one query


def test_the_audit_page_queries_do_not_grow_with_rows(world, client_for) -> None:
    client = client_for(world.owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("org_audit"), {"action": "org.update"}).status_code == 200
        return len(queries)

    audit.record("org.update", actor=world.admin, organisation=world.org)
    few = count()
    for person in (world.owner, world.member, world.nonmember) * 10:
        audit.record("org.update", actor=person, organisation=world.org)
    assert count() == few


def test_the_api_filters_like_the_page(world, api_client_for) -> None:
    _history(world)
    client = api_client_for(world.admin)
    items = client.get("/api/v1/audit", {"person": world.owner.pk, "action": "member.role"}).json()["items"]
    assert [(e["actor_id"], e["target_id"]) for e in items] == [(world.owner.pk, world.member.pk)]
    spaced = client.get("/api/v1/audit", {"space": world.private_space.pk}).json()["items"]
    assert [e["target_id"] for e in spaced] == [world.private_space.pk]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert client.get("/api/v1/audit", {"since": tomorrow.isoformat()}).json()["items"] == []
    assert client.get("/api/v1/audit", {"since": "9999-01-01"}).status_code == 422
    assert client.get("/api/v1/audit", {"action": "x; drop"}).status_code == 422
