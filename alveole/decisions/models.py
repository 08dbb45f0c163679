"""Polls, consent proposals, their answers, and the decisions they lead to.

Anonymity: for an anonymous poll no table ties a person to an option. Choices are
counted in `AnonymousTally` (one counter per option: no user, no timestamp, no
insertion order to correlate), and `Participation` only says that someone has voted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Poll(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="polls")
    post = models.OneToOneField("feed.Post", on_delete=models.CASCADE, related_name="poll")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=500)
    multiple = models.BooleanField(default=False)
    closes_at = models.DateTimeField()
    hide_results_until_closed = models.BooleanField(default=False)
    anonymous = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["closed_at", "closes_at"], name="poll_open_deadline")]

    def __str__(self) -> str:
        return self.question

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None or self.closes_at <= timezone.now()

    @property
    def results_visible(self) -> bool:
        return not self.hide_results_until_closed or self.is_closed


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["poll", "position"], name="unique_option_position")]

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """Someone has voted in a poll; says nothing about what they chose. No timestamp on purpose."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="one_participation_per_poll")]

    def __str__(self) -> str:
        return f"{self.user_id} voted in poll {self.poll_id}"


class Vote(models.Model):
    """A named choice in a non-anonymous poll (several rows per person in a multiple-choice poll)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "user", "option"], name="one_vote_per_option")]

    def __str__(self) -> str:
        return f"vote for option {self.option_id}"


class AnonymousTally(models.Model):
    """How many anonymous ballots chose an option: a counter, never a row per voter."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="tallies")
    option = models.OneToOneField(PollOption, on_delete=models.CASCADE, related_name="tally")
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} for option {self.option_id}"


class Proposal(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="proposals")
    post = models.OneToOneField("feed.Post", on_delete=models.CASCADE, related_name="proposal")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    statement = models.TextField()
    closes_at = models.DateTimeField()
    quorum = models.PositiveSmallIntegerField(null=True, blank=True)  # % of the space's members
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["closed_at", "closes_at"], name="proposal_open_deadline")]

    def __str__(self) -> str:
        return self.statement[:80]

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None or self.closes_at <= timezone.now()


class Answer(models.TextChoices):
    AGREE = "agree", _("Agree")
    ABSTAIN = "abstain", _("Abstain")
    DISAGREE = "disagree", _("Disagree")
    BLOCK = "block", _("Block")


class Response(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="one_response_per_proposal")]

    def __str__(self) -> str:
        return f"{self.answer} on proposal {self.proposal_id}"


class Decision(models.Model):
    """What a closed poll or proposal decided, for the space's log and the key decisions page."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(max_length=500)
    outcome = models.TextField()
    outcome_pending = models.BooleanField(default=False)  # closed at the deadline; the author may still write it
    poll = models.OneToOneField(Poll, null=True, blank=True, on_delete=models.CASCADE, related_name="decision")
    proposal = models.OneToOneField(Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="decision")
    tallies = models.JSONField(default=dict)
    post = models.ForeignKey("feed.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # empty: closed by the deadline

    class Meta:
        indexes = [
            models.Index(fields=["space", "-decided_at", "-id"], name="decision_space_log"),
            models.Index(fields=["organisation", "-decided_at", "-id"], name="decision_org_log"),
        ]

    def __str__(self) -> str:
        return self.title
