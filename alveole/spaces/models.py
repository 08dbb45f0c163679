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
