"""The one door to provisioning tokens: an owner sees their organisation's, nobody else sees any."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.core.errors import NotFound, PermissionDenied

from .models import ScimToken


def require_owner(viewer: User) -> None:
    if not viewer.is_owner:
        raise PermissionDenied(_("Only the organisation's owners can manage provisioning tokens."))


def scim_tokens_of(viewer: User) -> QuerySet[ScimToken]:
    require_owner(viewer)
    return ScimToken.objects.filter(organisation_id=viewer.org_id).select_related("created_by")


def get_scim_token_for(viewer: User, token_id: int) -> ScimToken:
    token = scim_tokens_of(viewer).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    return token
