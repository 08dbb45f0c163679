"""The audit log is append-only through the ORM and tamper-evident in the database."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from alveole.core import audit
from alveole.core.models import AppendOnly, AuditEvent

TABLE = AuditEvent._meta.db_table


def _rows(world, n: int = 4) -> list[AuditEvent]:
    return [
        audit.record("org.update", actor=world.owner, organisation=world.org, label=f"#{i}", field=i) for i in range(n)
    ]


def _verify_fails_at(row: AuditEvent, org: int | None = None) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", *(["--org", str(org)] if org else []))
    message = str(failure.value)
    assert f"row {row.pk} " in message and row.action in message
    return message


def _verify_ok(capsys, *args: str) -> str:
    call_command("audit", "verify", *args)
    out = capsys.readouterr().out
    assert "Audit log OK" in out
    return out


def test_each_row_links_to_the_previous_one_of_its_organisation(world, capsys):
    rows = _rows(world)
    loose = audit.record("login.failure", actor=None, label="someone@example.com")
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    assert loose.organisation_id is None and loose.prev_hash == ""  # rows with no organisation: a chain of their own
    assert f"{AuditEvent.objects.count()} rows" in _verify_ok(capsys)
    assert f"organisation {world.org.pk}" in _verify_ok(capsys, "--org", str(world.org.pk))


def test_the_orm_refuses_to_change_or_delete_a_row(world):
    row = _rows(world, 1)[0]
    row.action = "logout"
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=row.pk).update(action="logout")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.bulk_create([AuditEvent(action="logout")])


@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "logout"), ("target_label", "someone else"), ("data", '{"field": 99}'), ("actor_id", None)],
)
def test_a_row_edited_in_the_database_is_named(world, column, value):
    rows = _rows(world)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, rows[2].pk])
    edited = AuditEvent.objects.get(pk=rows[2].pk)
    message = _verify_fails_at(edited, world.org.pk)
    assert "content does not match" in message


def test_a_row_edited_with_its_hash_recomputed_breaks_the_next_link(world):
    rows = _rows(world)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET target_label = 'forged' WHERE id = %s", [rows[1].pk])
    forged = AuditEvent.objects.get(pk=rows[1].pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET hash = %s WHERE id = %s",
            [audit.row_hash(forged, forged.prev_hash), forged.pk],
        )
    _verify_fails_at(rows[2])


def test_a_row_deleted_in_the_database_is_found_at_the_next_one(world):
    rows = _rows(world)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [rows[1].pk])
    assert "link to the previous row" in _verify_fails_at(rows[2])


def test_a_row_inserted_in_the_database_is_named(world):
    rows = _rows(world, 2)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (organisation_id, actor_id, action, target_type, target_id, target_label, data, "
            "ip, created_at, prev_hash, hash) VALUES (%s, %s, 'member.role', '', NULL, '', '{}', NULL, %s, %s, %s)",
            [world.org.pk, world.owner.pk, rows[1].created_at, rows[1].hash, "0" * 64],
        )
    inserted = AuditEvent.objects.filter(organisation=world.org).order_by("-id").first()
    assert inserted is not None and inserted.action == "member.role"
    _verify_fails_at(inserted)
    # A row slipped in between two others with a proper hash still breaks the link of the one after.
    after = audit.record("org.update", actor=world.owner, organisation=world.org)
    with connection.cursor() as cursor:
        forged = audit.row_hash(inserted, inserted.prev_hash)
        cursor.execute(f"UPDATE {TABLE} SET hash = %s WHERE id = %s", [forged, inserted.pk])
    _verify_fails_at(after)


@pytest.mark.django_db(transaction=True)
def test_concurrent_records_stay_one_chain(world, capsys):
    if connection.vendor == "sqlite":
        pytest.skip("runs on PostgreSQL (ALVEOLE_TEST_DATABASE_URL); SQLite already has one writer at a time")
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                audit.record("org.update", actor=world.owner, organisation=world.org, worker=n, i=i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEvent.objects.filter(organisation=world.org, action="org.update").count() == 80
    _verify_ok(capsys, "--org", str(world.org.pk))


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_rows_already_there(world, capsys):
    before, after = [("core", "0003_worker_heartbeat")], [("core", "0004_audit_chain")]
    try:
        MigrationExecutor(connection).migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps.get_model("core", "AuditEvent")
        for org, actor in [(world.org, world.owner), (world.other_org, world.other), (world.org, world.admin)]:
            old.objects.create(organisation_id=org.pk, actor_id=actor.pk, action="org.update", data={"n": actor.pk})
        old.objects.create(organisation_id=None, actor_id=None, action="login.failure", ip="::ffff:10.0.0.1")
        MigrationExecutor(connection).migrate(after)
        mine = list(AuditEvent.objects.filter(organisation=world.org).order_by("id"))
        assert mine[0].prev_hash == "" and all(b.prev_hash == a.hash for a, b in itertools.pairwise(mine))
        _verify_ok(capsys)
        audit.record("org.update", actor=world.owner, organisation=world.org)  # new rows carry on the chain
        _verify_ok(capsys)
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
