"""What a reaction may be: exactly one emoji of the Unicode set, as the `emoji` package knows it.

The package is the list (and the names, in English and French): nothing of it is copied here, so
an upgrade of the package brings new emoji and names. Six emoji keep the names reactions had when
there were only six kinds; those names are still accepted on input (old API clients, old forms).
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Mapping
from functools import cache

import emoji
from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from alveole.core.errors import Invalid

# The former kinds, in the order the picker offers them first. Migration 0003 rewrote stored rows
# with the same mapping.
NAMED = {"like": "👍", "love": "❤️", "celebrate": "🎉", "laugh": "😄", "idea": "💡", "sad": "😢"}
QUICK_LABELS = {
    "👍": _("Like"),
    "❤️": _("Love"),
    "🎉": _("Celebrate"),
    "😄": _("Funny"),
    "💡": _("Insightful"),
    "😢": _("Sad"),
}
DEFAULT = NAMED["like"]
MAX_LENGTH = 32  # the longest emoji sequence today is 10 code points; the column leaves room for more

_FULLY_QUALIFIED = emoji.STATUS["fully_qualified"]
_COMPONENT = emoji.STATUS["component"]
_SKIN_TONES = frozenset("\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")
# The picker lists emoji up to this version: newer ones show as empty boxes on many phones and
# desktops still. They stay valid reactions (someone whose device has them may paste one).
PICKER_MAX_VERSION = 15.1
# Browsing without a search starts with faces and people, as phone keyboards do: Unicode blocks in
# this order, the rest after them, flags last.
_BROWSE_BLOCKS = (
    (0x1F600, 0x1F64F),  # Emoticons
    (0x1F900, 0x1F9FF),  # Supplemental Symbols and Pictographs
    (0x1FA70, 0x1FAFF),  # Symbols and Pictographs Extended-A
    (0x1F300, 0x1F5FF),  # Miscellaneous Symbols and Pictographs
    (0x1F680, 0x1F6FF),  # Transport and Map Symbols
    (0x2600, 0x27BF),  # Miscellaneous Symbols, Dingbats
)
_FLAGS = (0x1F1E6, 0x1F1FF)

_load_lock = threading.Lock()


def invalid() -> Invalid:
    return Invalid(fields={"kind": _("A reaction is exactly one emoji, such as 👍 or 🚀.")})


@cache
def _qualified_by_name() -> dict[str, str]:
    """English name → the fully qualified emoji (the form with its variation selector)."""
    return {data["en"]: e for e, data in emoji.EMOJI_DATA.items() if data["status"] == _FULLY_QUALIFIED}


def normalize(value: object) -> str:
    """The reaction to store for `value`: one emoji (or a former kind's name), fully qualified, so
    that ❤ and ❤️ count as the same reaction. Anything else is refused with a sentence."""
    text = str(value or "").strip()
    if text in NAMED:
        return NAMED[text]
    data = emoji.EMOJI_DATA.get(text) if 0 < len(text) <= MAX_LENGTH else None
    if data is None or data["status"] == _COMPONENT:
        raise invalid()
    if data["status"] != _FULLY_QUALIFIED:
        return _qualified_by_name()[data["en"]]
    return text


def _language(language: str | None = None) -> str:
    code = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return code if code in {c for c, _name in settings.LANGUAGES} and code in emoji.LANGUAGES else "en"


@cache
def _names(language: str) -> dict[str, str]:
    """emoji → its name in `language` ("thumbs up", "pouce vers le haut"), as the package spells it."""
    if language != "en":
        with _load_lock:  # the package fills its one shared dictionary in place
            emoji.config.load_language(language)
    return {
        e: (data.get(language) or data["en"]).strip(":").replace("_", " ")
        for e, data in emoji.EMOJI_DATA.items()
        if data["status"] != _COMPONENT
    }


def label(value: str, language: str | None = None) -> str:
    """What a reaction is called on screen: the six former kinds keep their words, others their name."""
    if value in QUICK_LABELS:
        if language is None:
            return str(QUICK_LABELS[value])
        with translation.override(language):
            return str(QUICK_LABELS[value])
    return capfirst(_names(_language(language)).get(value, value)) or value


def quick() -> list[tuple[str, str]]:
    """The six reactions offered first, with their words in the current language."""
    return [(e, label(e)) for e in NAMED.values()]


def ordered(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """A post's reactions as its bar shows them: most given first, the six former kinds before the
    rest on a tie. Live events carry this order, so the page never sorts on its own."""
    quick_order = list(NAMED.values())
    rank = {e: i for i, e in enumerate(quick_order)}
    return sorted(((e, n) for e, n in counts.items() if n > 0), key=lambda en: (-en[1], rank.get(en[0], 99), en[0]))


def _fold(text: str) -> str:
    """Lower case without accents: "fusée" is found by typing "fusee"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _browse_key(value: str) -> tuple[int, str]:
    first = ord(value[0])
    if _FLAGS[0] <= first <= _FLAGS[1]:
        return (len(_BROWSE_BLOCKS) + 1, value)
    for i, (start, end) in enumerate(_BROWSE_BLOCKS):
        if start <= first <= end:
            return (i, value)
    return (len(_BROWSE_BLOCKS), value)


@cache
def picker_json(language: str) -> bytes:
    """The picker's list for one language, built once per process: [[emoji, name, search words], …]
    in browsing order. Skin-tone variants are left out (the base emoji stands for them)."""
    names = _names(language)
    english = _names("en")
    rows = []
    for value, data in emoji.EMOJI_DATA.items():
        if data["status"] != _FULLY_QUALIFIED or data["E"] > PICKER_MAX_VERSION or _SKIN_TONES & set(value):
            continue
        aliases = (a.strip(":").replace("_", " ") for a in data.get("alias", []))
        # The six keep their words ("Love" finds ❤️), in both languages like every name.
        words = [label(value, language), label(value, "en"), names[value], english[value], *aliases]
        search = " ".join(dict.fromkeys(_fold(w) for w in words))
        rows.append((value, label(value, language), search))
    rows.sort(key=lambda row: _browse_key(row[0]))
    return json.dumps(
        {"version": emoji.__version__, "language": language, "emoji": rows}, ensure_ascii=False, separators=(",", ":")
    ).encode()


def picker_language(language: str | None = None) -> str:
    """The language the picker's names are in for `language` (or the current one): English or French."""
    return _language(language)


def version() -> str:
    """The `emoji` package's version: it names the picker's list, so browsers keep it until an upgrade."""
    return emoji.__version__
