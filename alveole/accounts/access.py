from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from alveole.core.errors import NotAuthenticated, NotFound

from .models import AccessToken, User


def tokens_of(viewer: User) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user=viewer)


def get_token_for(viewer: User, token_id: int | str) -> AccessToken:
    try:
        return tokens_of(viewer).get(pk=int(token_id))
    except (AccessToken.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def viewer_of(request: HttpRequest) -> User:
    """The signed-in person making the request (typed for the transports)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_active:
        raise NotAuthenticated()
    return user
