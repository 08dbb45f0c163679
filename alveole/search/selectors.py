"""Reading the search index: ranked, highlighted, filtered and permission-filtered in one query.

Who may see an entry is decided inside the query, by the spaces' and people's own access rules and
the state each entry carries (`permitted`): nothing a person may not see is matched, ranked, counted or suggested. On
PostgreSQL the match is `document @@ query` (the GIN index), ranked by ts_rank and excerpted by
ts_headline; on SQLite it is the FTS5 table, ranked by bm25 and excerpted by snippet(). A page is
two queries whatever its size: the entries (with their space and author), then their excerpts.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Exists, FloatField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from alveole.accounts.models import User
from alveole.core.cursors import paginate
from alveole.feed.access import visible_posts
from alveole.feed.models import Post
from alveole.spaces.access import visible_spaces
from alveole.spaces.models import Label, Space
from alveole.spaces.people import people_visible_to

from .models import Entry, Kind

MIN_LENGTH = 2
MAX_WORDS = 8
# Private-use characters mark the matches inside the database's excerpt; the text is escaped and
# only then are they turned into <mark>, so nothing a person wrote becomes markup.
START, STOP = "\ue000", "\ue001"
RANKED = ("-score", "-id")
RECENT = ("-created_at", "-id")
CONFIDENTIAL = ("", "only", "exclude")
IN_A_POST = (Kind.POST, Kind.COMMENT, Kind.FILE, Kind.POLL, Kind.PROPOSAL, Kind.DECISION)

_OPERATOR = re.compile(
    r'(?:^|\s)(from:@?(?P<author>[\w.-]+)|in:(?:"(?P<qspace>[^"]+)"|(?P<space>\S+))|#(?P<topic>\w[\w-]*))'
)
_WORD = re.compile(r"\w+")


@dataclass
class Query:
    """What the box says: words, and the `from:@handle`, `in:space` and `#topic` operators."""

    words: list[str] = field(default_factory=list)
    author_handle: str = ""
    space_name: str = ""
    topics: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.words or self.author_handle or self.space_name or self.topics)


def parse(text: str) -> Query:
    query = Query()

    def take(match: re.Match[str]) -> str:
        if match.group("author"):
            query.author_handle = match.group("author").lower()
        elif match.group("qspace") or match.group("space"):
            query.space_name = (match.group("qspace") or match.group("space")).strip()
        elif match.group("topic"):
            query.topics.append(match.group("topic").lower())
        return " "

    rest = _OPERATOR.sub(take, text or "")
    query.words = _WORD.findall(rest)[:MAX_WORDS]
    return query


@dataclass
class Filters:
    """The form's filters (already checked: a space and an author the viewer may see)."""

    space: Space | None = None
    author: User | None = None
    kind: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    has_file: bool = False
    confidential: str = ""


@dataclass
class Hit:
    entry: Entry
    title: SafeString
    excerpt: SafeString


# --- who may see what --------------------------------------------------------------------------


def permitted(viewer: User) -> Q:
    """Entries whose source the viewer may see, as its feature's access rule says — and, for search,
    never an item deleted, held, refused or hidden by a moderator, even for those who may open it.

    Everything but people and topics lives in a space (a post, its comments and files, a poll, a
    proposal, a decision, a task, a milestone, the space itself) or on a profile (a profile post and
    what lives in it): it is found when it is `shown` (search/models.py) and its space is one of
    spaces.access.visible_spaces — or it is on a profile and the viewer is no guest; a guest never
    finds what carries a confidential label (feed.access.visible_posts's backstop). People follow
    spaces.people.people_visible_to; a topic, a post the viewer may read that uses it. Each rule is
    a subquery of the spaces, labels or people tables, computed once per query, never of the posts:
    the cost of a search grows with what it matches, not with what the organisation wrote.
    """
    placed = Q(space_id__in=visible_spaces(viewer).values("pk"))
    if viewer.is_guest:
        confidential = Label.objects.filter(organisation_id=viewer.org_id, restricted=True).values("pk")
        labelled_spaces = Space.objects.filter(label_id__in=confidential).values("pk")
        placed &= ~Q(label_id__in=confidential) & ~Q(space_id__in=labelled_spaces)
    else:
        placed |= Q(space_id__isnull=True, kind__in=IN_A_POST)
    items = Q(shown=True) & placed & ~Q(kind__in=(Kind.PERSON, Kind.TOPIC))
    person = Q(kind=Kind.PERSON, object_id__in=people_visible_to(viewer).values("pk"))
    readable = visible_posts(viewer, published=True).filter(hidden_at__isnull=True, topics=OuterRef("object_id"))
    topic = Q(Exists(readable), kind=Kind.TOPIC)
    return Q(organisation_id=viewer.org_id) & (items | person | topic)


def visible_entries(viewer: User) -> QuerySet[Entry]:
    if not viewer.is_authenticated or not viewer.is_active:
        return Entry.objects.none()
    return Entry.objects.filter(permitted(viewer))


# --- the full-text part, per database ----------------------------------------------------------


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _fts5_match(words: list[str], *, prefix: bool = False) -> str:
    # Each word quoted (FTS5's syntax cannot be injected); words are ANDed.
    star = "*" if prefix else ""
    return " ".join('"' + w.replace('"', '""') + '"' + star for w in words)


_PG_QUERY = (
    "(plainto_tsquery('alveole_french', %s) || plainto_tsquery('alveole_english', %s)"
    " || plainto_tsquery('alveole_simple', %s))"
)
_PG_PREFIX = "to_tsquery('alveole_simple', %s)"
_PG_CONFIG = (
    "(CASE search_entry.language WHEN 'fr' THEN 'alveole_french' WHEN 'en' THEN 'alveole_english'"
    " ELSE 'alveole_simple' END)::regconfig"
)


def _pg_query(words: list[str], *, prefix: bool) -> tuple[str, list[str]]:
    if prefix:
        # Words are \w+ only: nothing in them is tsquery syntax.
        return _PG_PREFIX, [" & ".join(f"{w}:*" for w in words)]
    text = " ".join(words)
    return _PG_QUERY, [text, text, text]


def matching(qs: QuerySet[Entry], words: list[str], *, prefix: bool = False) -> QuerySet[Entry]:
    """`qs` narrowed to entries matching every word, with a `score` (higher is better).

    Only the ALVEOLE_SEARCH_RANK_WINDOW most recently indexed matches are ranked: scoring costs a
    little per match, and a common word matches a good share of everything an organisation wrote.
    The window is taken among what the viewer may see (`qs` carries permitted()), so it never fills
    with forbidden entries; FTS5 walks its matches newest first natively, PostgreSQL sorts the ids."""
    newest = _matched(qs, words, prefix=prefix)
    size = settings.ALVEOLE_SEARCH_RANK_WINDOW
    if _is_postgres():
        ids = _pg_newest(newest, size)
        window = Entry.objects.extra(where=["search_entry.id = ANY(%s)"], params=[ids])
    else:
        table = "search_entry_names" if prefix else "search_entry_fts"
        newest = newest.extra(order_by=[f"-{table}.rowid"])  # FTS5 walks its rowids backwards
        # The window is read first, on its own: as a subquery, the MATCH's raw SQL would name the outer table.
        ids = list(newest.values_list("pk", flat=True)[:size])
        window = Entry.objects.extra(
            where=["search_entry.id IN (SELECT value FROM json_each(%s))"], params=[json.dumps(ids)]
        )
    return _scored(window, words, prefix=prefix)


# The newest entries searched first, before the rest: so many ids per place in the window.
_RECENT_SPAN_PER_RESULT = 20
# Then the entries of the current month and of so many months before it (search/migrations/0004).
_RECENT_MONTHS = 2


def _months_back(today: datetime.date, n: int) -> list[str]:
    """The month lexemes ("0m202611") of this month and the `n` before it."""
    months, year, month = [], today.year, today.month
    for _ in range(n + 1):
        months.append(f"0m{year:04d}{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def _pg_newest(matched: QuerySet[Entry], size: int) -> list[int]:
    """The ids of `size` newest entries of `matched`, reading no more of the table than it must, in three steps.

    1. The newest 20 x `size` ids: a common word fills the window there, at a cost bound by that span (at
       1.5 M entries, a word in nine entries in ten: 900 ms over every match, 28 ms over the span).
    2. Matches written in the last months, intersected inside the GIN index with the month lexemes of the
       entries' documents: a word in one entry in thirty-three visited 3,400 pages instead of 16,000.
    3. The rest, when the window is still not full (rare words: few matches whatever their age).

    Each step is a materialised set of matches sorted by id: asked for `ORDER BY id DESC LIMIT n` directly,
    PostgreSQL may walk the primary key backwards and test every entry on its way, expecting matches soon;
    when the viewer may see few of them that walk reads the whole table.
    """
    top = Entry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    bound = max(top - _RECENT_SPAN_PER_RESULT * size, 0)
    ids = _pg_newest_of(matched.filter(pk__gt=bound), size)
    if len(ids) == size or bound == 0:
        return ids
    # What the first step found is left out as a filter, not as `id <= bound`: PostgreSQL would AND the GIN
    # bitmap with a primary-key bitmap of nearly the whole table (100 ms at 1.5 M entries) to apply it.
    older = matched.exclude(pk__in=ids) if ids else matched
    months = " | ".join(_months_back(timezone.now().astimezone(datetime.UTC).date(), _RECENT_MONTHS))
    recent = older.extra(where=["search_entry.document @@ to_tsquery('simple', %s)"], params=[months])
    found = _pg_newest_of(recent, size - len(ids))
    ids += found
    if len(ids) < size:
        ids += _pg_newest_of(older.exclude(pk__in=found) if found else older, size - len(ids))
    return ids


def _pg_newest_of(matched: QuerySet[Entry], size: int) -> list[int]:
    sql, params = matched.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH found AS MATERIALIZED ({sql}) SELECT pk FROM found ORDER BY pk DESC LIMIT %s",  # noqa: S608
            [*params, size],
        )
        return [row[0] for row in cursor.fetchall()]


def _matched(qs: QuerySet[Entry], words: list[str], *, prefix: bool) -> QuerySet[Entry]:
    if _is_postgres():
        tsquery, params = _pg_query(words, prefix=prefix)
        return qs.extra(where=[f"search_entry.document @@ {tsquery}"], params=params)  # noqa: S610
    table = "search_entry_names" if prefix else "search_entry_fts"  # constants; what was typed is a parameter
    return qs.extra(  # noqa: S610
        tables=[table],
        where=[f"{table}.rowid = search_entry.id", f"{table} MATCH %s"],
        params=[_fts5_match(words, prefix=prefix)],
    )


def _scored(qs: QuerySet[Entry], words: list[str], *, prefix: bool) -> QuerySet[Entry]:
    if _is_postgres():
        # Only constant SQL is formatted in here; what was typed goes in as parameters.
        tsquery, params = _pg_query(words, prefix=prefix)
        rank = f"ts_rank(search_entry.document, {tsquery}, 1)::float8"
        return qs.annotate(score=RawSQL(rank, params, output_field=FloatField()))  # noqa: S611
    # bm25 is read from the MATCH of the same query, so the outer query matches again (on the window only).
    # It is lower for better matches; in an item's text a title counts ten times the body.
    bm25 = "-bm25(search_entry_names)" if prefix else "-bm25(search_entry_fts, 10.0, 1.0)"
    return _matched(qs, words, prefix=prefix).annotate(score=RawSQL(bm25, (), output_field=FloatField()))  # noqa: S611


def _marked(text: str) -> SafeString:
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308 — escaped first


def excerpts(entries: list[Entry], words: list[str]) -> dict[int, tuple[str, str]]:
    """For each entry, its title and a short excerpt with the matched words between START and STOP."""
    if not entries:
        return {}
    ids = [e.pk for e in entries]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if _is_postgres():
            tsquery, params = _pg_query(words, prefix=False)
            options = (
                f'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
            )
            cursor.execute(
                f"SELECT id, ts_headline({_PG_CONFIG}, title, {tsquery}, %s),"  # noqa: S608 — constants, placeholders
                f" ts_headline({_PG_CONFIG}, body, {tsquery}, %s)"
                f" FROM search_entry WHERE id IN ({marks})",
                [*params, f"StartSel={START}, StopSel={STOP}, HighlightAll=true", *params, options, *ids],
            )
        else:
            cursor.execute(
                f"SELECT rowid, highlight(search_entry_fts, 0, %s, %s),"  # noqa: S608 — placeholders only
                f" snippet(search_entry_fts, 1, %s, %s, '…', 24)"
                f" FROM search_entry_fts WHERE search_entry_fts MATCH %s AND rowid IN ({marks})",
                [START, STOP, START, STOP, _fts5_match(words), *ids],
            )
        return {row[0]: (row[1] or "", row[2] or "") for row in cursor.fetchall()}


# --- the searches ------------------------------------------------------------------------------


def _filtered(viewer: User, query: Query, filters: Filters) -> QuerySet[Entry] | None:
    """The viewer's entries narrowed by the box's operators and the form's filters; None when an
    operator names nothing the viewer can see (so nothing is found, as for a missing name)."""
    qs = visible_entries(viewer)
    if query.author_handle:
        author = people_visible_to(viewer).filter(handle__iexact=query.author_handle).first()
        if author is None:
            return None
        qs = qs.filter(author=author)
    if query.space_name:
        space = visible_spaces(viewer).filter(name__iexact=query.space_name).order_by("pk").first()
        if space is None:
            return None
        qs = qs.filter(space=space)
    for name in query.topics:
        tagged = Post.topics.through.objects.filter(topic__organisation_id=viewer.org_id, topic__name=name)
        qs = qs.filter(post_id__in=tagged.values("post_id"))
    if filters.space is not None:
        qs = qs.filter(space=filters.space)
    if filters.author is not None:
        qs = qs.filter(author=filters.author)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    zone = timezone.get_current_timezone()
    if filters.since is not None:
        qs = qs.filter(created_at__gte=datetime.datetime.combine(filters.since, datetime.time.min, zone))
    if filters.until is not None:
        end = filters.until + datetime.timedelta(days=1)
        qs = qs.filter(created_at__lt=datetime.datetime.combine(end, datetime.time.min, zone))
    if filters.has_file:
        qs = qs.filter(has_file=True)
    if filters.confidential == "only":
        qs = qs.filter(space__label__restricted=True)
    elif filters.confidential == "exclude":
        qs = qs.exclude(space__label__restricted=True)
    return qs


def is_searchable(text: str, filters: Filters) -> bool:
    """Enough to search: a word of two characters or more, an operator, or a filter."""
    query = parse(text)
    if query.author_handle or query.space_name or query.topics:
        return True
    if any(len(w) >= MIN_LENGTH for w in query.words):
        return True
    return not query.words and filters != Filters()


def search(
    viewer: User, text: str, filters: Filters | None = None, *, cursor: str | None = None, limit: int | None = None
) -> tuple[list[Hit], str | None]:
    """One page of what the viewer may see that matches `text` and `filters`, best first (newest
    first when the box holds only operators), and the next page's cursor."""
    query = parse(text)
    limit = limit or settings.ALVEOLE_SEARCH_PAGE_SIZE
    qs = _filtered(viewer, query, filters or Filters())
    if qs is None or (query.empty and (filters is None or filters == Filters())):
        return [], None
    if query.words:
        ranked = matching(qs, query.words).select_related("space", "author")
        rows, next_cursor = paginate(ranked, order=RANKED, cursor=cursor, limit=limit)
        marked = excerpts(rows, query.words)
    else:
        rows, next_cursor = paginate(qs.select_related("space", "author"), order=RECENT, cursor=cursor, limit=limit)
        marked = {}
    hits = []
    for entry in rows:
        title, excerpt = marked.get(entry.pk, (entry.title, entry.body[:200]))
        hits.append(Hit(entry=entry, title=_marked(title), excerpt=_marked(excerpt)))
    return hits, next_cursor


@dataclass
class Suggestion:
    kind: str
    label: str
    detail: str
    link: str


def suggest(viewer: User, text: str, *, limit: int = 8) -> list[Suggestion]:
    """People, spaces and topics the viewer may see whose names start with what was typed (accents and
    case folded); admins also find people by email address."""
    words = _WORD.findall(text or "")[:MAX_WORDS]
    if not words or len("".join(words)) < MIN_LENGTH:
        return []
    kinds = (Kind.PERSON, Kind.SPACE, Kind.TOPIC)
    qs = matching(visible_entries(viewer).filter(kind__in=kinds), words, prefix=True)
    found = [
        Suggestion(kind=e.kind, label=e.title, detail=e.body if e.kind != Kind.TOPIC else "", link=e.link)
        for e in qs.order_by("-score", "-id")[:limit]  # type: ignore[misc]  # `score` is matching()'s annotation
    ]
    if viewer.is_authenticated and viewer.is_org_admin and "@" in text and len(found) < limit:
        seen = {s.link for s in found}
        by_email = people_visible_to(viewer).filter(email__icontains=text.strip())
        for person in by_email.order_by("full_name", "pk")[: limit - len(found)]:
            entry_link = reverse("person", args=[person.pk])
            if entry_link not in seen:
                found.append(Suggestion(kind=Kind.PERSON, label=person.full_name, detail=person.email, link=entry_link))
    return found
