"""The figures of the insights page, the charts, the CSV files and the API, for one viewer's scope.

Every query is grouped in the database (week and month buckets with Django's Trunc functions, which
SQLite and PostgreSQL both run), counts only what every reader of the space sees — published items,
not deleted, hidden, held nor refused — and only inside the viewer's scope (`access.scope_for`).
Weeks start on Monday, in the server's time zone; the period is the last `weeks` of them, this one
included.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from alveole.accounts.models import Role
from alveole.decisions.models import Decision
from alveole.feed.models import Comment, Post, PostKind, Reaction, Review
from alveole.projects.models import Task, TaskStatus

from .access import Scope

MAX_WEEKS = 104


@dataclass(frozen=True)
class Period:
    start: datetime.datetime  # Monday 00:00 of the first week, aware
    end: datetime.datetime  # now
    weeks: tuple[datetime.date, ...]  # each week's Monday, oldest first
    months: tuple[datetime.date, ...]  # the first day of each month the period touches

    @property
    def first_day(self) -> datetime.date:
        return self.weeks[0]


def period_of(weeks: int | None = None, *, now: datetime.datetime | None = None) -> Period:
    """The last `weeks` weeks (default ALVEOLE_INSIGHTS_WEEKS), this week included."""
    count = max(1, min(MAX_WEEKS, weeks or settings.ALVEOLE_INSIGHTS_WEEKS))
    now = now or timezone.now()
    today = timezone.localdate(now)
    this_monday = today - datetime.timedelta(days=today.weekday())
    mondays = tuple(this_monday - datetime.timedelta(weeks=count - 1 - i) for i in range(count))
    start = timezone.make_aware(datetime.datetime.combine(mondays[0], datetime.time.min))
    months: list[datetime.date] = []
    month = mondays[0].replace(day=1)
    while month <= today:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return Period(start, now, mondays, tuple(months))


def _day(value: datetime.date | datetime.datetime) -> datetime.date:
    """A bucket as a date: Trunc gives aware datetimes for datetime fields, dates for date fields."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


# --- what counts -------------------------------------------------------------------------------


def counted_posts(scope: Scope) -> QuerySet[Post]:
    """Published posts of the scope that every reader sees (not deleted, hidden, held nor refused)."""
    where = Q(space_id__in=scope.space_ids)
    if scope.profiles:
        where |= Q(space__isnull=True)
    return Post.objects.filter(
        where,
        organisation_id=scope.organisation_id,
        deleted_at__isnull=True,
        hidden_at__isnull=True,
        review=Review.PUBLISHED,
    )


def _published_comment(prefix: str = "") -> Q:
    return Q(
        **{f"{prefix}deleted_at__isnull": True, f"{prefix}hidden_at__isnull": True, f"{prefix}review": Review.PUBLISHED}
    )


def counted_comments(scope: Scope) -> QuerySet[Comment]:
    return Comment.objects.filter(_published_comment(), post__in=counted_posts(scope).values("pk"))


def counted_reactions(scope: Scope) -> QuerySet[Reaction]:
    return Reaction.objects.filter(post__in=counted_posts(scope).values("pk"))


# --- activity over time ----------------------------------------------------------------------------


@dataclass
class Week:
    week: datetime.date
    posts: int = 0
    comments: int = 0
    reactions: int = 0
    people: int = 0
    guest_posts: int = 0
    guest_comments: int = 0
    guest_reactions: int = 0
    guests: int = 0


def activity(scope: Scope, period: Period) -> list[Week]:
    """Posts, comments, reactions and active people (who wrote or reacted) per week, everyone's and
    guests' alone: four queries (three grouped counts, one de-duplicated list of who was active when)."""
    weeks = {monday: Week(monday) for monday in period.weeks}
    guest = Role.GUEST
    sources = (
        (counted_posts(scope), "author", "posts"),
        (counted_comments(scope), "author", "comments"),
        (counted_reactions(scope), "user", "reactions"),
    )
    active = None
    for qs, who, name in sources:
        in_period = qs.filter(created_at__gte=period.start).annotate(bucket=TruncWeek("created_at"))
        rows = in_period.values("bucket").annotate(n=Count("pk"), g=Count("pk", filter=Q(**{f"{who}__role": guest})))
        for row in rows.order_by():
            if (item := weeks.get(_day(row["bucket"]))) is not None:
                setattr(item, name, row["n"])
                setattr(item, f"guest_{name}", row["g"])
        people = in_period.values_list("bucket", f"{who}_id", f"{who}__role").order_by()
        active = people if active is None else active.union(people)
    assert active is not None
    for bucket, _person, role in active:  # UNION has already removed the repeats
        if (item := weeks.get(_day(bucket))) is not None:
            item.people += 1
            item.guests += role == guest
    return list(weeks.values())


# --- most read, most commented ------------------------------------------------------------------------


@dataclass(frozen=True)
class TopPost:
    post: Post
    count: int


def most_read(scope: Scope, period: Period, limit: int | None = None) -> list[TopPost]:
    """The posts of the period read by the most people (one query)."""
    return _top(scope, period, Count("reads"), limit)


def most_commented(scope: Scope, period: Period, limit: int | None = None) -> list[TopPost]:
    """The posts of the period with the most published comments (one query)."""
    return _top(scope, period, Count("comments", filter=_published_comment("comments__")), limit)


def _top(scope: Scope, period: Period, count: Count, limit: int | None) -> list[TopPost]:
    qs = (
        counted_posts(scope)
        .filter(created_at__gte=period.start)
        .annotate(n=count)
        .filter(n__gt=0)
        .select_related("space", "author")
        .order_by("-n", "-created_at", "-pk")
    )
    return [TopPost(post, post.n) for post in qs[: limit or settings.ALVEOLE_INSIGHTS_TOP]]


# --- questions ----------------------------------------------------------------------------------------


@dataclass
class QuestionWeek:
    week: datetime.date
    asked: int = 0
    answered: int = 0


@dataclass
class Questions:
    weeks: list[QuestionWeek]
    asked: int = 0
    answered: int = 0
    median_seconds: int | None = None  # from the question to its accepted answer
    durations: list[float] = field(default_factory=list, repr=False)


def questions(scope: Scope, period: Period) -> Questions:
    """Questions asked per week, how many have an accepted answer, and the median time from a
    question to the answer its author (or a manager) accepted. One query: one row per question (a
    median is not portable SQL, and a period holds few questions)."""
    answer = Min("comments__created_at", filter=Q(comments__is_answer=True) & _published_comment("comments__"))
    rows = (
        counted_posts(scope)
        .filter(kind=PostKind.QUESTION, created_at__gte=period.start)
        .annotate(bucket=TruncWeek("created_at"), answer_at=answer)
        .values_list("bucket", "created_at", "answer_at")
        .order_by()
    )
    weeks = {monday: QuestionWeek(monday) for monday in period.weeks}
    result = Questions(list(weeks.values()))
    for bucket, asked_at, answer_at in rows:
        item = weeks.get(_day(bucket))
        if item is None:
            continue
        item.asked += 1
        result.asked += 1
        if answer_at is not None:
            item.answered += 1
            result.answered += 1
            result.durations.append(max(0.0, (answer_at - asked_at).total_seconds()))
    if result.durations:
        result.median_seconds = round(statistics.median(result.durations))
    return result


# --- decisions -----------------------------------------------------------------------------------------


def decisions_per_month(scope: Scope, period: Period) -> list[tuple[datetime.date, int]]:
    """Decisions taken per month in the period's months, in the scope's spaces (one query). A
    decision whose post is deleted, hidden, held or refused is not counted; one whose post is gone
    for good stays in its space's log and is."""
    months = dict.fromkeys(period.months, 0)
    visible_post = Q(post__isnull=True) | Q(
        post__deleted_at__isnull=True, post__hidden_at__isnull=True, post__review=Review.PUBLISHED
    )
    rows = (
        Decision.objects.filter(
            visible_post,
            organisation_id=scope.organisation_id,
            space_id__in=scope.space_ids,
            decided_at__gte=datetime.datetime.combine(period.months[0], datetime.time.min, period.start.tzinfo),
        )
        .annotate(bucket=TruncMonth("decided_at"))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        month = _day(row["bucket"])
        if month in months:
            months[month] = row["n"]
    return list(months.items())


# --- tasks ---------------------------------------------------------------------------------------------


@dataclass
class TaskWeek:
    week: datetime.date
    done: int = 0
    done_on_time: int = 0
    late: int = 0  # due that week and not done by their due date
    still_open: int = 0  # of the late ones, not done yet


def tasks(scope: Scope, period: Period) -> list[TaskWeek]:
    """Tasks done per week (on time or not), and tasks that went late per week — due that week, past
    their due date, not done by it (still open, or done later). Two grouped queries."""
    weeks = {monday: TaskWeek(monday) for monday in period.weeks}
    mine = Task.objects.filter(organisation_id=scope.organisation_id, space_id__in=scope.space_ids)
    on_time = Q(due_date__isnull=True) | Q(due_date__gte=TruncDate("completed_at"))
    done = (
        mine.filter(status=TaskStatus.DONE, completed_at__gte=period.start)
        .annotate(bucket=TruncWeek("completed_at"))
        .values("bucket")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=on_time))
        .order_by()
    )
    for row in done:
        if (item := weeks.get(_day(row["bucket"]))) is not None:
            item.done, item.done_on_time = row["n"], row["on_time"]
    today = timezone.localdate(period.end)
    not_done_by_due = Q(completed_at__isnull=True) | Q(completed_at__date__gt=F("due_date"))
    late = (
        mine.filter(not_done_by_due, due_date__gte=period.first_day, due_date__lt=today)
        .annotate(bucket=TruncWeek("due_date"))
        .values("bucket")
        .annotate(n=Count("pk"), still_open=Count("pk", filter=~Q(status=TaskStatus.DONE)))
        .order_by()
    )
    for late_row in late:
        if (item := weeks.get(_day(late_row["bucket"]))) is not None:
            item.late, item.still_open = late_row["n"], late_row["still_open"]
    return list(weeks.values())


# --- everything at once -------------------------------------------------------------------------------


@dataclass
class Figures:
    period: Period
    activity: list[Week]
    most_read: list[TopPost]
    most_commented: list[TopPost]
    questions: Questions
    decisions: list[tuple[datetime.date, int]]
    tasks: list[TaskWeek]

    @property
    def totals(self) -> dict[str, int]:
        weeks = self.activity
        return {
            "posts": sum(w.posts for w in weeks),
            "comments": sum(w.comments for w in weeks),
            "reactions": sum(w.reactions for w in weeks),
            "guest_posts": sum(w.guest_posts for w in weeks),
            "guest_comments": sum(w.guest_comments for w in weeks),
            "guest_reactions": sum(w.guest_reactions for w in weeks),
            "decisions": sum(n for _m, n in self.decisions),
            "tasks_done": sum(w.done for w in self.tasks),
            "tasks_late": sum(w.late for w in self.tasks),
        }


def figures(scope: Scope, period: Period) -> Figures:
    """Every figure of the page: ten queries, whatever the size of the organisation."""
    return Figures(
        period,
        activity(scope, period),
        most_read(scope, period),
        most_commented(scope, period),
        questions(scope, period),
        decisions_per_month(scope, period),
        tasks(scope, period),
    )
