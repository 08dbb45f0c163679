"""Confidentiality labels: the organisation's defaults, and which label a space or post carries.

A space or post without a label carries its organisation's lowest one (Internal unless renamed),
so rows written before labels existed, and tests that create spaces directly, stay valid.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import Label

# Created for every new organisation; owners rename them and add more.
DEFAULT_LABELS = (
    (_("Internal"), 0, False),
    (_("Confidential"), 10, True),
)


def create_default_labels(organisation_id: int) -> None:
    """Give an organisation its first labels, once (a second call changes nothing)."""
    if Label.objects.filter(organisation_id=organisation_id).exists():
        return
    Label.objects.bulk_create(
        Label(organisation_id=organisation_id, name=str(name), rank=rank, restricted=restricted)
        for name, rank, restricted in DEFAULT_LABELS
    )


def on_organisation_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # Connected by model label in SpacesConfig.ready: spaces sits below orgs and never imports it.
    if created and not raw:
        create_default_labels(instance.pk)
