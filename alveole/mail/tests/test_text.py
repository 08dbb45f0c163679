"""What is kept of an email: the new text, not the quote or the signature (real-world samples)."""

from __future__ import annotations

import pytest

from alveole.mail.text import html_to_text, strip_reply

GMAIL_EN = """Sounds good, I'll send the figures tomorrow.

On Tue, Jun 3, 2025 at 10:12 AM Anna Schmidt <
anna@example.com> wrote:

> Can you check the Q3 numbers?
>
> Anna
"""

APPLE_FR = """Parfait, je m'en occupe.

Envoyé de mon iPhone

> Le 3 juin 2025 à 10:12, Anna Schmidt <anna@example.com> a écrit :
>
> Tu peux vérifier les chiffres ?
"""

GMAIL_FR = """D'accord pour jeudi.
Bonne journée,
Marc

Le mar. 3 juin 2025 à 10:12, Anna Schmidt <anna@example.com> a écrit :

> Jeudi ça te va ?
"""

OUTLOOK_EN = """Approved from my side.

Regards,
Tom
________________________________
From: Alvéole <alveole@example.com>
Sent: Tuesday, June 3, 2025 10:12 AM
To: Tom Baker <tom@example.com>
Subject: Anna replied to you

Anna replied to you · Launch
"""

OUTLOOK_FR = """Ok pour moi.

De : Alvéole <alveole@example.com>
Envoyé : mardi 3 juin 2025 10:12
À : Tom Baker <tom@example.com>
Objet : Anna vous a répondu
"""

SIGNATURE = "See you at 3.\n\n-- \nTom Baker | Head of Sales\n+33 1 23 45 67 89\n"

INLINE = """> Can you make it on Thursday?
Yes, Thursday works.
> And bring the slides?
I will.
"""

MOBILE = """Thanks!

Sent from my Galaxy"""

OUTLOOK_MOBILE = """Merci, c'est noté.

Télécharger Outlook pour Android
"""

ORIGINAL_MESSAGE = """Agreed.

-----Original Message-----
From: Anna
Sent: Tuesday
Subject: Q3
"""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (GMAIL_EN, "Sounds good, I'll send the figures tomorrow."),
        (APPLE_FR, "Parfait, je m'en occupe."),
        (GMAIL_FR, "D'accord pour jeudi.\nBonne journée,\nMarc"),
        (OUTLOOK_EN, "Approved from my side.\n\nRegards,\nTom"),
        (OUTLOOK_FR, "Ok pour moi."),
        (SIGNATURE, "See you at 3."),
        (INLINE, "Yes, Thursday works.\nI will."),
        (MOBILE, "Thanks!"),
        (OUTLOOK_MOBILE, "Merci, c'est noté."),
        (ORIGINAL_MESSAGE, "Agreed."),
        ("## Reply above this line ##\nignored", ""),
        ("Mine\r\n\r\n## Répondez au-dessus de cette ligne ##\r\nAnna a réagi", "Mine"),
    ],
    ids=[
        "gmail-en", "apple-fr", "gmail-fr", "outlook-en", "outlook-fr", "signature", "inline", "mobile",
        "outlook-mobile-fr", "original-message", "marker", "marker-fr",
    ],
)  # fmt: skip
def test_quotes_and_signatures_are_stripped(raw, expected):
    assert strip_reply(raw) == expected


def test_ordinary_sentences_that_look_like_attributions_are_kept():
    text = "On Monday we ship.\nAnna wrote: the notes are ready.\nLe client a écrit : rien."
    assert strip_reply(text) == text


def test_a_forwarded_message_is_kept_for_space_posts_but_not_for_replies():
    text = (
        "FYI, see below.\n\n---------- Forwarded message ---------\n"
        "From: Client <c@example.com>\nDate: Tue\nSubject: Order\nTo: me\n\nWe confirm the order."
    )
    assert strip_reply(text) == "FYI, see below."
    kept = strip_reply(text, keep_forwarded=True)
    assert kept.startswith("FYI, see below.") and kept.endswith("We confirm the order.")


def test_html_replies_lose_their_quoted_blocks():
    html = (
        '<html><head><style>p{color:red}</style></head><body><div dir="ltr">Looks <b>great</b>!<br>Ship it.</div>'
        '<br><div class="gmail_quote"><div class="gmail_attr">On Tue, Jun 3, 2025 Anna wrote:</div>'
        "<blockquote>Ready?</blockquote></div></body></html>"
    )
    assert html_to_text(html) == "Looks great!\nShip it."
    outlook = '<div>Merci&nbsp;!</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg">De : Anna</div>'
    assert strip_reply(html_to_text(outlook)) == "Merci !"
