"""Confidentiality labels: every organisation starts with Internal and Confidential."""

from __future__ import annotations

import pytest

from alveole.orgs.models import Organisation
from alveole.spaces.labels import create_default_labels
from alveole.spaces.models import Label

pytestmark = pytest.mark.django_db


def test_a_new_organisation_gets_internal_and_confidential_once():
    org = Organisation.objects.create(name="Fresh")
    labels = list(Label.objects.filter(organisation=org).values_list("name", "rank", "restricted"))
    assert labels == [("Internal", 0, False), ("Confidential", 10, True)]
    create_default_labels(org.pk)
    assert Label.objects.filter(organisation=org).count() == 2


def test_labels_are_per_organisation(world):
    other = Organisation.objects.create(name="Other")
    assert Label.objects.filter(organisation=world.org).count() == 2
    assert not Label.objects.filter(organisation=other, pk__in=Label.objects.filter(organisation=world.org)).exists()
