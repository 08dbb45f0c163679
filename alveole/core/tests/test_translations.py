"""The French catalogue: complete, placeholders intact, and actually used by the pages."""

from __future__ import annotations

import gettext
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from alveole.core.templatetags.alveole import relative_text

PO_PATH = Path(settings.BASE_DIR) / "alveole" / "locale" / "fr" / "LC_MESSAGES" / "django.po"

# %(name)s, %(count)d, %s, %d … (and %% as a literal percent sign), {{ name }}, and HTML tags.
PYTHON_FORMAT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
BRACE_FORMAT = re.compile(r"\{\{\s*[\w.|:\"']+\s*\}\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def placeholders(text: str) -> Counter[str]:
    found = PYTHON_FORMAT.findall(text) + [re.sub(r"\s+", "", m) for m in BRACE_FORMAT.findall(text)]
    return Counter(found + HTML_TAG.findall(text))


@pytest.fixture(autouse=True)
def back_to_the_default_language():
    """Requests made by a French reader leave French active in this thread: restore the default after each test."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    assert PO_PATH.exists(), f"missing French catalogue: {PO_PATH}"
    return polib.pofile(str(PO_PATH))


@pytest.fixture(scope="module")
def compiled_french() -> None:
    """Compile the catalogues (as `make setup` does) and drop Django's cached translations."""
    call_command("compilemessages_py", verbosity=0)
    gettext._translations.clear()  # type: ignore[attr-defined]
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]


def test_the_header_declares_french_and_its_plural_rule(catalogue) -> None:
    assert catalogue.metadata["Language"] == "fr"
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n>1);"
    assert not catalogue.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue) -> None:
    entries = [e for e in catalogue if not e.obsolete]
    assert len(entries) > 100
    assert [e.msgid for e in entries if not e.translated()] == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    for entry in entries:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], entry.msgid


def test_every_translation_keeps_the_placeholders_of_its_source(catalogue) -> None:
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            pairs = [(entry.msgid, forms.get(0, "")), (entry.msgid_plural, forms.get(1, ""))]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            if placeholders(source) != placeholders(translated):
                problems.append((source, translated))
    assert problems == []


def test_the_placeholder_check_notices_a_dropped_or_renamed_placeholder() -> None:
    assert placeholders("Hello, %(name)s") == placeholders("Bonjour %(name)s")
    assert placeholders("Hello, %(name)s") != placeholders("Bonjour %(nom)s")
    assert placeholders("%(n)d min ago") != placeholders("il y a %(n)s min")
    assert placeholders("By {{ name }}") == placeholders("Par {{name}}")
    assert placeholders("Signed in as <strong>%(email)s</strong>") != placeholders("Connecté : %(email)s")


@pytest.mark.usefixtures("compiled_french")
def test_a_person_who_chose_french_sees_the_spaces_page_in_french(world, client_for) -> None:
    world.member.language = "fr"
    world.member.save()
    response = client_for(world.member).get(reverse("spaces"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Espaces" in html
    assert "Nouvel espace" in html
    assert "Rechercher des espaces" in html
    assert "2\u00a0membres" in html or "2 membres" in html  # a plural form, from the space cards
    assert "Search spaces" not in html and "New space" not in html


@pytest.mark.usefixtures("compiled_french")
def test_a_person_who_chose_french_sees_the_home_page_in_french(world, client_for) -> None:
    world.owner.language = "fr"
    world.owner.save()
    html = client_for(world.owner).get(reverse("home")).content.decode()
    assert "Votre fil d\u2019actualité apparaîtra ici" in html
    assert "Premiers pas" in html
    assert "Mes mentions" in html  # the feed filters
    assert "Joindre des fichiers" in html  # the composer
    assert "Your feed will appear here" not in html


@pytest.mark.usefixtures("compiled_french")
def test_the_sign_in_page_follows_a_french_browser(client) -> None:
    response = client.get(reverse("account_login"), headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert "Connexion à Alvéole" in html
    assert "Se connecter" in html
    assert "Sign in to Alvéole" not in html


@pytest.mark.usefixtures("compiled_french")
def test_relative_dates_are_french() -> None:
    now = timezone.now()
    with translation.override("fr"):
        assert relative_text(now - timedelta(minutes=5), now, now) == "il y a 5\u00a0min"
        assert relative_text(now + timedelta(hours=3), now, now) == "dans 3\u00a0h"


@pytest.mark.usefixtures("compiled_french")
def test_a_person_who_chose_french_sees_notifications_and_catch_up_in_french(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    from alveole.feed import actions as feed

    world.member.language = "fr"
    world.member.save()
    with django_capture_on_commit_callbacks(execute=True):  # the notification is made after the commit
        feed.create_post(world.owner, space=world.open_space, body=f"Prête ? @{world.member.handle}")
        feed.create_post(world.owner, space=world.private_space, body="Ordre du jour")
    client = client_for(world.member)

    html = client.get(reverse("notifications")).content.decode()
    assert "Olivia Owner a fait mention de vous" in html  # describe(), in the reader's language
    assert ("1 non lue" in html or "1\u00a0non lue" in html) and "Tout marquer comme lu" in html
    assert "Paramètres de notification" in html and "Rattrapage" in html
    assert "mentioned you" not in html and "Mark all as read" not in html

    html = client.get(reverse("catch_up")).content.decode()
    assert "<h1>Rattrapage</h1>" in html and "Depuis le " in html
    assert "Pour vous" in html and "Notifications non lues" in html
    assert "1 nouvelle publication" in html or "1\u00a0nouvelle publication" in html  # a plural form
    assert "For you" not in html and "new post" not in html and "Since " not in html


@pytest.mark.usefixtures("compiled_french")
def test_the_french_reply_marker_is_one_the_email_bridge_recognises() -> None:
    from alveole.mail.text import REPLY_MARKER_RE

    with translation.override("fr"):
        marker = translation.gettext("## Reply above this line ##")
    assert marker != "## Reply above this line ##"
    assert REPLY_MARKER_RE.match(marker)


@pytest.mark.usefixtures("compiled_french")
def test_decisions_and_exports_follow_the_glossary() -> None:
    """The answers, audit verbs and key terms of the decisions and exports apps use the agreed French words."""
    expected = {
        "Agree": "D’accord",
        "Abstain": "Abstention",
        "Disagree": "Pas d’accord",
        "Block": "Bloquer",
        "Decision log": "Journal des décisions",
        "Key decisions": "Décisions clés",
        "Export this space": "Exporter cet espace",
        "exported": "a exporté",
        "placed a legal hold on": "a placé sous conservation légale",
    }
    with translation.override("fr"):
        assert {source: translation.gettext(source) for source in expected} == expected
