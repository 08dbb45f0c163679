"""Full-text search, on whichever database the tests run (SQLite FTS5 or PostgreSQL)."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from alveole.decisions import actions as decisions
from alveole.factories import OrganisationFactory, SpaceFactory, UserFactory
from alveole.feed import actions as feed
from alveole.projects import actions as projects
from alveole.search import selectors
from alveole.search.models import Entry, Kind
from alveole.search.selectors import Filters, parse
from alveole.spaces.models import HeldFor, Label, SpaceKind
from alveole.testing import _service_missing


def found(viewer, text, filters=None):
    hits, _cursor = selectors.search(viewer, text, filters)
    return [(h.entry.kind, h.entry.object_id) for h in hits]


def pdf(text: str) -> io.BytesIO:
    """A one-page PDF whose page says `text` (Helvetica), enough for pypdf's text extraction."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    out.seek(0)
    return out


def upload(user, name: str, data: io.BytesIO):
    return feed.upload_attachment(user, stream=data, name=name, size=len(data.getvalue()))


def test_the_misses_of_the_old_search_are_found(world):
    post, _ = feed.create_post(world.member, space=world.open_space, body="Office move next month")
    comment, _ = feed.create_comment(world.owner, post=post, body="Who hands out the new badges?")
    task = projects.create_task(world.owner, space=world.open_space, title="Order desks")
    plan = upload(world.member, "floorplan-v2.txt", io.BytesIO(b"Third floor: kitchenette near the stairs"))
    feed.create_post(world.member, space=world.open_space, body="Here is the plan", attachment_ids=[plan.pk])
    diego = UserFactory.create(organisation=world.org, full_name="Diego Álvarez", handle="diego")

    assert found(world.member, "badges") == [(Kind.COMMENT, comment.pk)]
    assert found(world.member, "BADGES") == [(Kind.COMMENT, comment.pk)]  # case folded
    assert found(world.member, "order desks") == [(Kind.TASK, task.pk)]
    assert found(world.member, "floorplan") == [(Kind.FILE, plan.pk)]
    assert found(world.member, "kitchenette") == [(Kind.FILE, plan.pk)]  # the file's text
    assert found(world.member, "Alvarez") == [(Kind.PERSON, diego.pk)]
    assert found(world.member, "álvarez") == [(Kind.PERSON, diego.pk)]


def test_a_pdf_is_found_by_its_text(world):
    report = upload(world.member, "report.pdf", pdf("Quarterly turbines maintenance"))
    feed.create_post(world.member, space=world.open_space, body="The report", attachment_ids=[report.pk])
    assert found(world.member, "turbines") == [(Kind.FILE, report.pk)]
    hits, _ = selectors.search(world.member, "turbines", Filters(has_file=True))
    assert [h.entry.object_id for h in hits] == [report.pk]


def test_a_broken_pdf_is_found_by_its_name_and_its_post_is_published(world):
    broken = pdf("Quarterly turbines maintenance")
    broken = io.BytesIO(broken.getvalue()[:200] + b"\x00garbage" * 50)  # the header survives, the rest does not
    report = upload(world.member, "broken-report.pdf", broken)
    post, _ = feed.create_post(world.member, space=world.open_space, body="The report", attachment_ids=[report.pk])
    assert post.review == "published"
    assert found(world.member, "broken") == [(Kind.FILE, report.pk)]
    assert found(world.member, "turbines") == []


def test_french_stemming_and_accents(world):
    world.member.language = "fr"
    world.member.save()
    post, _ = feed.create_post(world.member, space=world.open_space, body="Les décisions du comité sont prises")
    assert (Kind.POST, post.pk) in found(world.member, "décision")
    assert (Kind.POST, post.pk) in found(world.member, "decision")
    assert (Kind.POST, post.pk) in found(world.member, "COMITE")


def test_a_real_match_ranks_above_a_passing_mention(world):
    passing, _ = feed.create_post(
        world.member,
        space=world.open_space,
        body="Lunch on Friday, then the weekly sync, the parking rota, the coffee machine, the printer toner, "
        "the new chairs, the visitors' badges, and, somewhere in there, the roadmap, plus many other small things.",
    )
    task = projects.create_task(world.owner, space=world.open_space, title="Roadmap", description="The roadmap for Q3")
    main, _ = feed.create_post(world.member, space=world.open_space, body="Roadmap: the roadmap for next year")
    order = found(world.member, "roadmap")
    assert order.index((Kind.TASK, task.pk)) < order.index((Kind.POST, passing.pk))
    assert order.index((Kind.POST, main.pk)) < order.index((Kind.POST, passing.pk))


def test_excerpts_are_escaped_except_the_marks(world):
    feed.create_post(world.member, space=world.open_space, body="<script>alert(1)</script> about the budget")
    hits, _ = selectors.search(world.member, "budget")
    assert "<mark>budget</mark>" in hits[0].excerpt
    assert "<script>" not in hits[0].excerpt
    assert selectors._marked("<b>\ue000x\ue001</b>") == "&lt;b&gt;<mark>x</mark>&lt;/b&gt;"


def test_operators_and_filters(world):
    world.member.handle = "mia"
    world.member.save()
    mine, _ = feed.create_post(world.member, space=world.open_space, body="Budget #finance for Q3")
    feed.create_post(world.owner, space=world.open_space, body="Budget for the party")
    other_space, _ = feed.create_post(world.member, space=world.private_space, body="Budget for the client")
    assert found(world.member, "budget from:@mia in:Everyone") == [(Kind.POST, mine.pk)]
    assert found(world.member, "budget #finance") == [(Kind.POST, mine.pk)]
    assert found(world.member, 'budget in:"Client project"') == [(Kind.POST, other_space.pk)]
    assert found(world.member, "budget from:@nobody") == []
    assert set(found(world.member, "budget", Filters(author=world.member))) == {
        (Kind.POST, mine.pk),
        (Kind.POST, other_space.pk),
    }
    assert found(world.member, "budget", Filters(space=world.private_space, kind=Kind.POST)) == [
        (Kind.POST, other_space.pk)
    ]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert found(world.member, "budget", Filters(since=tomorrow)) == []
    assert len(found(world.member, "budget", Filters(until=tomorrow))) == 3
    # Only operators: newest first.
    assert found(world.member, "from:@mia") == [(Kind.POST, other_space.pk), (Kind.POST, mine.pk)]
    assert parse('x from:@Mia in:"A b" #Tag y').__dict__ == {
        "words": ["x", "y"],
        "author_handle": "mia",
        "space_name": "A b",
        "topics": ["tag"],
    }


def test_cursor_pagination(world):
    posts = [feed.create_post(world.member, space=world.open_space, body=f"Sprint note {i}")[0] for i in range(5)]
    seen = []
    cursor = None
    for _ in range(3):
        hits, cursor = selectors.search(world.member, "sprint", cursor=cursor, limit=2)
        seen += [h.entry.object_id for h in hits]
        if cursor is None:
            break
    assert sorted(seen) == sorted(p.pk for p in posts) and cursor is None


def test_only_the_newest_matches_the_reader_may_see_are_ranked(world, settings):
    settings.ALVEOLE_SEARCH_RANK_WINDOW = 2
    old, newer, newest = (
        feed.create_post(world.member, space=world.open_space, body=f"Roadmap {i}")[0] for i in range(3)
    )
    # Written last, but where the reader cannot look: it must not take a place in the window.
    feed.create_post(world.owner, space=world.private_space, body="Roadmap secret")
    hits, cursor = selectors.search(world.nonmember, "roadmap")
    assert sorted(h.entry.object_id for h in hits) == [newer.pk, newest.pk] and cursor is None
    assert [s.label for s in selectors.suggest(world.nonmember, "roadm")] == []  # posts are never suggested
    assert old.pk not in [h.entry.object_id for h in selectors.search(world.nonmember, "roadmap")[0]]


def test_the_window_reaches_past_the_newest_entries_when_it_must(world, settings, monkeypatch):
    """PostgreSQL searches the newest ids first, then the last months' matches, then the rest."""
    monkeypatch.setattr(selectors, "_RECENT_SPAN_PER_RESULT", 1)
    settings.ALVEOLE_SEARCH_RANK_WINDOW = 2
    old = feed.create_post(world.member, space=world.open_space, body="Quarterly figures")[0]
    # Indexed after `old` but written long before (an import, say): the last months' matches come first.
    with time_machine.travel(timezone.now() - datetime.timedelta(days=200), tick=False):
        ancient = feed.create_post(world.member, space=world.open_space, body="Quarterly figures, long ago")[0]
    for i in range(3):
        feed.create_post(world.member, space=world.open_space, body=f"Something else {i}")
    new = feed.create_post(world.member, space=world.open_space, body="Quarterly figures again")[0]
    # SQLite's FTS5 takes the newest indexed; PostgreSQL, the last months' matches before older ones.
    second = old if connection.vendor == "postgresql" else ancient
    assert sorted(object_id for _kind, object_id in found(world.member, "quarterly")) == sorted([second.pk, new.pk])
    settings.ALVEOLE_SEARCH_RANK_WINDOW = 3
    everything = sorted([ancient.pk, old.pk, new.pk])
    assert sorted(object_id for _kind, object_id in found(world.member, "quarterly")) == everything
    settings.ALVEOLE_SEARCH_RANK_WINDOW = 2
    newest = [feed.create_post(world.member, space=world.open_space, body="Quarterly")[0] for _ in range(2)]
    assert sorted(object_id for _kind, object_id in found(world.member, "quarterly")) == sorted(p.pk for p in newest)


def test_months_back_crosses_the_year():
    assert selectors._months_back(datetime.date(2026, 2, 10), 2) == ["0m202602", "0m202601", "0m202512"]


@pytest.mark.django_db
def test_postgres_documents_carry_their_month(world):
    if connection.vendor != "postgresql":  # SQLite's FTS5 walks its matches newest first: no month lexeme there
        _service_missing("database", "the suite runs on SQLite")
    post = feed.create_post(world.member, space=world.open_space, body="Budget review")[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT document::text FROM search_entry WHERE kind = 'post' AND object_id = %s", [post.pk])
        document = cursor.fetchone()[0]
    assert f"'0m{post.created_at.astimezone(datetime.UTC):%Y%m}':" in document and "'budget':" in document


def test_entries_follow_edits_and_deletions(world):
    post, _ = feed.create_post(world.member, space=world.open_space, body="Pizza on Friday")
    feed.edit_post(world.member, post=post, body="Sushi on Friday")
    assert found(world.member, "pizza") == [] and found(world.member, "sushi") == [(Kind.POST, post.pk)]
    feed.delete_post(world.member, post=post)
    assert found(world.member, "sushi") == []
    assert not Entry.objects.filter(kind=Kind.POST, object_id=post.pk).exists()


def test_polls_proposals_and_milestones(world):
    poll = decisions.create_poll(
        world.member, space=world.open_space, question="Where for the offsite?", options=["Lisbon", "Porto"],
        closes_at=timezone.now() + datetime.timedelta(days=2),
    )  # fmt: skip
    proposal = decisions.create_proposal(
        world.member, space=world.open_space, statement="Adopt a four-day week",
        closes_at=timezone.now() + datetime.timedelta(days=2),
    )  # fmt: skip
    world.open_space.kind = SpaceKind.PROJECT
    world.open_space.save()
    milestone = projects.create_milestone(
        world.owner, space=world.open_space, title="Beta launch", date=timezone.localdate()
    )
    assert (Kind.POLL, poll.pk) in found(world.member, "lisbon")
    assert (Kind.PROPOSAL, proposal.pk) in found(world.member, "four-day")
    assert found(world.member, "beta") == [(Kind.MILESTONE, milestone.pk)]
    decision = decisions.close_proposal(world.member, proposal=proposal, outcome="Adopted for the summer")
    assert (Kind.DECISION, decision.pk) in found(world.member, "summer")


def test_what_lives_in_a_post_follows_its_state(world):
    """Comments, files and polls carry their post's state (search/models.py): hiding, deleting or
    moving the post, and hiding or reviewing a comment, reach them in the same transaction."""
    poll = decisions.create_poll(
        world.member, space=world.open_space, question="Lunch on Friday?", options=["Ramen", "Tacos"],
        closes_at=timezone.now() + datetime.timedelta(days=2),
    )  # fmt: skip
    post = poll.post
    notes = upload(world.member, "minutes.txt", io.BytesIO(b"walnut budget"))
    remark, _ = feed.create_comment(world.member, post=post, body="Saffron please", attachment_ids=[notes.pk])
    everything = {(Kind.POLL, poll.pk), (Kind.COMMENT, remark.pk), (Kind.FILE, notes.pk)}

    def seen(viewer) -> set[tuple[str, int]]:
        return {hit for word in ("ramen", "saffron", "walnut") for hit in found(viewer, word)}

    assert seen(world.nonmember) == everything
    feed.set_hidden(world.owner, post=post, hidden=True)
    assert seen(world.nonmember) == seen(world.owner) == set()
    feed.set_hidden(world.owner, post=post, hidden=False)
    assert seen(world.nonmember) == everything
    feed.set_hidden(world.owner, post=post, comment=remark, hidden=True)
    assert seen(world.nonmember) == {(Kind.POLL, poll.pk)}
    feed.set_hidden(world.owner, post=post, comment=remark, hidden=False)
    post.space = world.private_space
    post.save(update_fields=["space"])
    assert seen(world.nonmember) == set() and seen(world.member) == everything
    feed.delete_post(world.member, post=post)
    assert seen(world.member) == set()


def test_a_held_comment_is_found_once_validated_never_once_refused(world):
    world.private_space.hold_comments = HeldFor.GUESTS
    world.private_space.save()
    post, _ = feed.create_post(world.member, space=world.private_space, body="Questions")
    kept, _ = feed.create_comment(world.guest, post=post, body="pelican question")
    dropped, _ = feed.create_comment(world.guest, post=post, body="flamingo question")
    assert found(world.member, "pelican") == found(world.member, "flamingo") == []
    feed.approve_comment(world.owner, comment=kept)
    feed.refuse_comment(world.owner, comment=dropped, reason="Off topic")
    assert found(world.member, "pelican") == [(Kind.COMMENT, kept.pk)]
    assert found(world.member, "flamingo") == found(world.guest, "flamingo") == []


def test_a_guest_never_finds_a_confidential_post_even_in_their_space(world):
    """The backstop of feed.access.visible_posts: no confidential label ever reaches a guest."""
    post, _ = feed.create_post(world.member, space=world.private_space, body="merger numbers")
    post.label = Label.objects.get(organisation=world.org, restricted=True)
    post.save(update_fields=["label"])
    assert found(world.guest, "merger") == []
    assert found(world.member, "merger") == [(Kind.POST, post.pk)]


def test_reindex_rebuilds_the_same_index(world):
    post, _ = feed.create_post(world.member, space=world.open_space, body="Quarterly review #finance")
    plan = upload(world.member, "plan.txt", io.BytesIO(b"seating plan"))
    feed.create_comment(world.member, post=post, body="See the plan", attachment_ids=[plan.pk])
    projects.create_task(world.owner, space=world.open_space, title="Book the room")
    fields = ["kind", "object_id", "organisation_id", "space_id", "shown", "label_id", "author_id", "post_id"]
    fields += ["has_file", "title", "body"]
    before = sorted(Entry.objects.values_list(*fields))
    Entry.objects.all().delete()
    assert found(world.member, "quarterly") == []
    call_command("search", "reindex")
    assert sorted(Entry.objects.values_list(*fields)) == before
    assert found(world.member, "quarterly") == [(Kind.POST, post.pk)]
    assert found(world.member, "seating") == [(Kind.FILE, plan.pk)]


# --- the leak test: words that exist only where the viewer may not look -----------------------------


@pytest.fixture
def forbidden(world):
    """One word in each forbidden place; returns {word: who must never find it}."""
    everyone_but_org_a = ["owner", "admin", "member", "nonmember", "guest"]  # they live in organisation B
    private_only = ["nonmember", "admin", "other"]  # admin is in no space: a private space is not theirs
    feed.create_post(world.member, space=world.private_space, body="zanzibar plans")
    feed.create_post(world.member, space=world.open_space, body="quokka outing")  # guests see no open space
    feed.create_post(world.other, space=world.other_space, body="xylophone order")
    gone, _ = feed.create_post(world.member, space=world.open_space, body="yodel practice")
    feed.delete_post(world.member, post=gone)
    world.open_space.hold_posts = HeldFor.GUESTS
    world.open_space.save()
    world.private_space.hold_posts = world.private_space.hold_comments = HeldFor.GUESTS
    world.private_space.save()
    feed.create_post(world.guest, space=world.private_space, body="walrus gossip")  # held
    hidden, _ = feed.create_post(world.member, space=world.open_space, body="vortex rumour")
    feed.set_hidden(world.owner, post=hidden, hidden=True)
    shown, _ = feed.create_post(world.member, space=world.open_space, body="Weekly notes")
    remark, _ = feed.create_comment(world.member, post=shown, body="nimbus remark")
    feed.set_hidden(world.owner, post=shown, comment=remark, hidden=True)
    question, _ = feed.create_post(world.member, space=world.private_space, body="Questions")
    feed.create_comment(world.guest, post=question, body="orca comment")  # held for validation
    SpaceFactory.create(organisation=world.other_org, name="Umbrella secrets", visibility="open")
    UserFactory.create(organisation=world.other_org, full_name="Tiberius Outsider")
    projects.create_task(world.owner, space=world.private_space, title="Kumquat delivery")
    return {
        "zanzibar": private_only,
        "kumquat": private_only,
        "quokka": ["guest", "other"],
        "xylophone": everyone_but_org_a,
        "umbrella": everyone_but_org_a,
        "tiberius": everyone_but_org_a,
        "yodel": ["owner", "admin", "member", "nonmember", "guest", "other"],
        "walrus": ["owner", "admin", "member", "nonmember", "guest", "other"],
        "vortex": ["owner", "admin", "member", "nonmember", "guest", "other"],
        "nimbus": ["owner", "admin", "member", "nonmember", "guest", "other"],
        "orca": ["owner", "admin", "member", "nonmember", "guest", "other"],
    }


def test_nothing_forbidden_is_found_suggested_or_listed(world, forbidden, api_client_for):
    for word, blind in forbidden.items():
        for role in blind:
            viewer = world.user(role)
            assert found(viewer, word) == [], (word, role)
            assert selectors.suggest(viewer, word) == [], (word, role)
            body = api_client_for(viewer).get(f"/api/v1/search?q={word}").json()
            assert body["items"] == [], (word, role)
            assert api_client_for(viewer).get(f"/api/v1/search/suggest?q={word}").json() == [], (word, role)
    # …while those who may see them do find them (the test would pass on an empty index otherwise).
    assert found(world.member, "zanzibar") and found(world.guest, "zanzibar") and found(world.other, "xylophone")
    assert found(world.member, "kumquat") and found(world.nonmember, "quokka")


def test_a_topic_used_only_in_a_private_space_is_not_suggested(world):
    feed.create_post(world.member, space=world.private_space, body="Plans #skunkworks")
    assert selectors.suggest(world.nonmember, "skunk") == []
    assert [s.label for s in selectors.suggest(world.member, "skunk")] == ["#skunkworks"]


def test_suggest_people_spaces_and_emails_for_admins(world):
    diego = UserFactory.create(organisation=world.org, full_name="Diego Álvarez", email="finance.lead@acme.test")
    assert [s.link for s in selectors.suggest(world.member, "alv")] == [f"/people/{diego.pk}/"]
    assert [s.label for s in selectors.suggest(world.member, "every")] == ["Everyone"]
    assert selectors.suggest(world.member, "finance.lead@") == []
    assert [s.label for s in selectors.suggest(world.admin, "finance.lead@")] == ["Diego Álvarez"]
    assert selectors.suggest(world.member, "a") == []


def test_another_organisations_people_are_never_suggested(world):
    OrganisationFactory.create(name="Initech")
    assert selectors.suggest(world.member, "oscar") == []
    assert selectors.suggest(world.other, "mia") == []


@pytest.mark.django_db
def test_the_database_has_its_full_text_structures():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname LIKE 'alveole_%%' ORDER BY 1")
            assert [r[0] for r in cursor.fetchall()] == ["alveole_english", "alveole_french", "alveole_simple"]
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_document_gin'")
            assert "gin" in cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_entry_fts'")
            assert "remove_diacritics 2" in cursor.fetchone()[0]
