from __future__ import annotations

import datetime

from ninja import Field, Schema

from alveole.core.bounds import Id

from .selectors import MAX_WEEKS


class InsightsQuery(Schema):
    space_id: Id | None = Field(None, description="only this space (one the viewer manages)")
    weeks: int | None = Field(
        None, ge=1, le=MAX_WEEKS, description="how many weeks, this one included (default: ALVEOLE_INSIGHTS_WEEKS)"
    )


class SpaceRef(Schema):
    id: int
    name: str


class PeriodOut(Schema):
    start: datetime.datetime = Field(description="Monday 00:00 of the first week")
    end: datetime.datetime
    weeks: int


class ScopeOut(Schema):
    space: SpaceRef | None = Field(description="the space chosen, or none for all the viewer's spaces")
    profile_posts: bool = Field(description="whether profile posts are counted (admins, all spaces)")
    spaces: list[SpaceRef] = Field(description="the spaces whose insights the viewer may see")


class WeekOut(Schema):
    week: datetime.date = Field(description="the week's Monday")
    posts: int
    comments: int
    reactions: int
    people: int = Field(description="people who posted, commented or reacted")
    guest_posts: int
    guest_comments: int
    guest_reactions: int
    guests: int = Field(description="guests who posted, commented or reacted")


class TopPostOut(Schema):
    post_id: int
    excerpt: str
    space: SpaceRef | None
    author_id: int
    author_name: str
    created_at: datetime.datetime
    count: int


class QuestionWeekOut(Schema):
    week: datetime.date
    asked: int
    answered: int


class QuestionsOut(Schema):
    asked: int
    answered: int = Field(description="questions with an accepted answer")
    median_seconds: int | None = Field(description="median time from a question to its accepted answer")
    weeks: list[QuestionWeekOut]


class MonthOut(Schema):
    month: datetime.date = Field(description="the month's first day")
    decisions: int


class TaskWeekOut(Schema):
    week: datetime.date
    done: int
    done_on_time: int
    late: int = Field(description="tasks due that week that were not done by their due date")
    still_open: int


class InsightsOut(Schema):
    period: PeriodOut
    scope: ScopeOut
    activity: list[WeekOut]
    most_read: list[TopPostOut]
    most_commented: list[TopPostOut]
    questions: QuestionsOut
    decisions: list[MonthOut]
    tasks: list[TaskWeekOut]
