"""The search index: one row per thing a person can find, kept current by the features' signals.

Beside the text, a row carries what its rights hang on, copied from its source inside the same
transaction as every change to it: the space it lives in, whether it is shown to every reader of that
space (`shown`: it and its post are published, not held, refused, hidden or deleted) and its post's
confidentiality label. Who may read which space is still read, in the query itself, from the spaces'
own access rule (`selectors.permitted`), so a space turning private or a guest leaving is in force at
once; a moderator hiding a post or a comment rewrites `shown` in the same transaction as the hiding.
Keeping the item's state on the row lets a search filter on it directly instead of rereading every
visible post per query (bench/RESULTS.md, the search scenario).
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
    # The rights (see the module's doc), the filters and the result's line.
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    shown = models.BooleanField(default=True)
    label = models.ForeignKey("spaces.Label", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
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
