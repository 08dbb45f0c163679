"""The allauth row an identity provider owns goes with it, however it goes (removed by its owner, or with its
organisation): otherwise the client secret or IdP certificate would outlive the organisation that set it."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialApp
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import IdentityProvider


@receiver(post_delete, sender=IdentityProvider)
def drop_social_app(sender: Any, *, instance: IdentityProvider, **kwargs: Any) -> None:
    SocialApp.objects.filter(pk=instance.social_app_id).delete()  # its SocialAccounts and tokens cascade
