from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    DONE = "done", _("Done")


class ProjectPlan(models.Model):
    """The dates and status of a project space (one per space, created on first edit)."""

    space = models.OneToOneField("spaces.Space", on_delete=models.CASCADE, related_name="plan")
    start_date = models.DateField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.PLANNED)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"plan of space {self.space_id}"


class Milestone(models.Model):
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    date = models.DateField()
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DOING = "doing", _("Doing")
    DONE = "done", _("Done")


class BoardColumn(models.Model):
    """A column of a space's task board. Each column stands for one task state (to do, doing, done), so a
    custom column such as "Review" is a kind of "doing": moving a task into it keeps the task's state right
    for everything that reads the state (My tasks, reminders, progress, the calendar)."""

    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="board_columns")
    # Blank for the three default columns: their name is the state's, in the reader's language.
    name = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.DOING)
    position = models.PositiveIntegerField(default=0)
    wip_limit = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["space", "position"], name="board_column_space_pos")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or str(TaskStatus(self.status).label)


class Task(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True)  # sanitized
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.TODO)
    due_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Where the task came from ("make a task" on a post or a comment).
    source_post = models.ForeignKey("feed.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_comment = models.ForeignKey(
        "feed.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, through="TaskAssignee", related_name="tasks")
    # Where the task sits on the space's board (null until the board exists: see actions.board_columns).
    column = models.ForeignKey(BoardColumn, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    board_position = models.PositiveIntegerField(default=0)
    # The due date each reminder was sent for: a new due date re-arms them.
    reminded_for = models.DateField(null=True, blank=True)
    overdue_for = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["space", "status", "due_date"], name="task_space_status_due"),
            models.Index(fields=["due_date", "status"], name="task_due_status"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskAssignee(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_assignments")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "user"], name="unique_task_assignee")]
        indexes = [models.Index(fields=["user", "task"], name="task_assignee_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on task {self.task_id}"


class ChecklistItem(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField(max_length=300)
    done = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class TaskComment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment {self.pk} on task {self.task_id}"


class CalendarFeed(models.Model):
    """A person's secret calendar address; only the SHA-256 of its token is stored."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"
