from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SpaceKind(models.TextChoices):
    TEAM = "team", _("Team")
    PROJECT = "project", _("Project")


class Visibility(models.TextChoices):
    OPEN = "open", _("Open to the whole organisation")
    PRIVATE = "private", _("Private: members only")


class SpaceRole(models.TextChoices):
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")


class Contributors(models.TextChoices):
    """Who may post (or comment) in a space: everyone in it, or its managers only (announcement spaces)."""

    EVERYONE = "everyone", _("Everyone in the space")
    MANAGERS = "managers", _("Managers only")


class HeldFor(models.TextChoices):
    """Whose posts (or comments) wait for a manager's validation before anyone else sees them."""

    NOBODY = "nobody", _("Nobody: publish at once")
    GUESTS = "guests", _("Guests")
    NEWCOMERS = "newcomers", _("Guests and new members")
    EVERYONE = "everyone", _("Everyone but managers")


class Label(models.Model):
    """A confidentiality label an organisation defines (README, "Confidentiality").

    Every organisation starts with Internal and Confidential (spaces.labels); owners rename and
    add. A higher rank is more confidential: a post may raise its space's label, never lower it.
    Restricted content never reaches a guest or an email body, and only owners export it.
    """

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(_("name"), max_length=40)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)
    restricted = models.BooleanField(_("confidential"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("confidentiality label")
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_label_name"),
            models.UniqueConstraint(fields=["organisation", "rank"], name="unique_label_rank"),
        ]

    def __str__(self) -> str:
        return self.name


class Space(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="spaces")
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    kind = models.CharField(_("kind"), max_length=10, choices=SpaceKind.choices, default=SpaceKind.TEAM)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="SpaceMembership", related_name="spaces")
    # Empty means the organisation's lowest label (Internal unless renamed), which restricts nothing.
    label = models.ForeignKey(
        Label, null=True, blank=True, on_delete=models.PROTECT, related_name="spaces", verbose_name=_("label")
    )
    # The space's moderation policy (README, "Moderation"); managers are never held.
    posters = models.CharField(
        _("who may post"), max_length=10, choices=Contributors.choices, default=Contributors.EVERYONE
    )
    commenters = models.CharField(
        _("who may comment"), max_length=10, choices=Contributors.choices, default=Contributors.EVERYONE
    )
    hold_posts = models.CharField(
        _("hold posts for validation from"), max_length=10, choices=HeldFor.choices, default=HeldFor.NOBODY
    )
    hold_comments = models.CharField(
        _("hold comments for validation from"), max_length=10, choices=HeldFor.choices, default=HeldFor.NOBODY
    )

    class Meta:
        verbose_name = _("space")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organisation", "visibility"], name="space_org_visibility")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_open(self) -> bool:
        return self.visibility == Visibility.OPEN


class SpaceMembership(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_memberships")
    role = models.CharField(_("role"), max_length=10, choices=SpaceRole.choices, default=SpaceRole.MEMBER)
    starred = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("space membership")
        constraints = [models.UniqueConstraint(fields=["space", "user"], name="unique_space_member")]
        indexes = [models.Index(fields=["user", "space"], name="membership_user_space")]

    def __str__(self) -> str:
        return f"{self.user} in {self.space}"

    @property
    def is_manager(self) -> bool:
        return self.role == SpaceRole.MANAGER
