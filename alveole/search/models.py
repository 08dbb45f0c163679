"""The search index: one row per thing a person can find, kept current by the features' signals.

The text lives here; who may see a row is never stored but read, in the query itself, from the
features' own access rules on the row's source (`selectors.permitted`), so a moderator hiding a post,
a space turning private or a guest leaving is in force at once, whatever the index says.
The full-text structures beside this table depend on the database (migration 0002): an FTS5 table
`search_entry_fts` kept by triggers on SQLite; a `document` tsvector column, kept by a trigger, with
a GIN index on PostgreSQL.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    POST = "post", _("Post")
    COMMENT = "comment", _("Comment")
    FILE = "file", _("File")
    TASK = "task", _("Task")
    MILESTONE = "milestone", _("Milestone")
    POLL = "poll", _("Poll")
    PROPOSAL = "proposal", _("Proposal")
    DECISION = "decision", _("Decision")
    PERSON = "person", _("Person")
    SPACE = "space", _("Space")
    TOPIC = "topic", _("Topic")


class Entry(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # For the filters and the result's line; the rights come from the source (see the module's doc).
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post_id = models.BigIntegerField(null=True, blank=True)  # the post an item lives in (its topics, its page)
    has_file = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=8, blank=True)  # "fr", "en" or "" (no stemming)
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_source")]
        indexes = [models.Index(fields=["organisation", "-created_at", "-id"], name="search_entry_org_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
