"""Turning an email body into what the person actually wrote: no quoted text, no signature.

Mail clients quote in many ways; these rules cover the common ones in English and French (Gmail,
Apple Mail, Outlook desktop and web, Thunderbird, mobile apps). When unsure, a rule keeps text:
posting a little too much is better than losing what someone wrote.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# The line our emails put above the quote; everything from it down is ours.
REPLY_MARKER_RE = re.compile(r"^\W*(reply above this line|répondez au-dessus de cette ligne)\W*$", re.IGNORECASE)
# "On Tue, 3 Jun 2025 at 10:12, Anna <anna@example.com> wrote:" (often wrapped on two or three lines)
# "Le mar. 3 juin 2025 à 10:12, Anna <anna@example.com> a écrit :"
ATTRIBUTION_RE = re.compile(
    r"^\s*(on\b.{0,300}\bwrote\s*:|le\b.{0,300}\ba\s+écrit\s*:|am\b.{0,300}\bschrieb\b.{0,80}:"
    r"|el\b.{0,300}\bescribió\s*:)\s*$",
    re.IGNORECASE | re.DOTALL,
)
ATTRIBUTION_START_RE = re.compile(r"^\s*(on|le|am|el)\s", re.IGNORECASE)
# Outlook and others: a separator line, or a block of headers of the quoted message.
SEPARATOR_RE = re.compile(
    r"^\s*(-{2,}\s*(original message|message d'origine|message original|original message|"
    r"forwarded message|message transféré|mensaje original|ursprüngliche nachricht)\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)
FORWARDED_RE = re.compile(r"forwarded message|message transféré", re.IGNORECASE)
HEADER_FROM_RE = re.compile(r"^\s*\*?(from|de|von)\s*\*?\s*:\s*\S", re.IGNORECASE)
HEADER_OTHER_RE = re.compile(
    r"^\s*\*?(sent|date|to|subject|cc|envoyé|à|objet|gesendet|an|betreff)\s*\*?\s*:", re.IGNORECASE
)
# "-- " is the standard signature separator (RFC 3676); many clients drop the trailing space.
SIGNATURE_RE = re.compile(r"^--\s*$")
MOBILE_SIGNATURE_RE = re.compile(
    r"^\s*(sent from my \w[\w\s-]{0,30}|sent from (outlook|mail|yahoo mail|gmail|proton ?mail)\b.{0,40}"
    r"|get outlook for (ios|android)\b.{0,20}|sent via .{1,40}|sent from samsung .{0,30}"
    r"|envoyé de(puis)? mon \w[\w\s-]{0,30}|envoyé (à partir )?de(puis)? (outlook|mail|yahoo mail|gmail)\b.{0,40}"
    r"|télécharger outlook pour (ios|android)\b.{0,20}|envoyé avec .{1,40}"
    r"|von meinem \w[\w\s-]{0,30} gesendet|enviado desde mi .{1,30})\s*\.?\s*$",
    re.IGNORECASE,
)


def _cut_index(lines: list[str]) -> int:
    """The index of the first line that belongs to the quote or the signature (len(lines) if none)."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if REPLY_MARKER_RE.match(stripped) or SIGNATURE_RE.match(line.rstrip("\r")):
            return i
        if SEPARATOR_RE.match(stripped):
            return i
        if MOBILE_SIGNATURE_RE.match(stripped):
            return i
        if ATTRIBUTION_START_RE.match(line):
            # The attribution may be wrapped over up to three lines.
            for span in (1, 2, 3):
                joined = " ".join(part.strip() for part in lines[i : i + span])
                # Real attributions carry a date; "On Monday we ship. Anna wrote:" is not one.
                if ATTRIBUTION_RE.match(joined) and re.search(r"\d", joined):
                    return i
        if HEADER_FROM_RE.match(line):
            following = lines[i + 1 : i + 5]
            if sum(1 for f in following if HEADER_OTHER_RE.match(f)) >= 2:
                return i
    return len(lines)


def strip_reply(text: str, *, keep_forwarded: bool = False) -> str:
    """What the person wrote above (or between) the quoted parts, without their signature.

    With `keep_forwarded` (a message sent to a space address), a forwarded message is kept: it is the content.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = text.split("\n")
    forwarded: list[str] = []
    if keep_forwarded:
        for i, line in enumerate(lines):
            if SEPARATOR_RE.match(line.strip()) and FORWARDED_RE.search(line):
                lines, forwarded = lines[:i], lines[i:]
                break
    lines = lines[: _cut_index(lines)] + forwarded
    # Inline answers keep the new text between quoted lines; the quoted lines go.
    kept = [line.rstrip() for line in lines if not line.lstrip().startswith(">")]
    body = "\n".join(kept)
    body = re.sub(r"\n{3,}", "\n\n", body)
    return body.strip()


class _HTMLText(HTMLParser):
    """A plain-text rendering of an HTML email, leaving out quoted blocks, styles and scripts."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr"}
    SKIPPED = {"style", "script", "head", "title", "blockquote"}
    QUOTE_CLASSES = {"gmail_quote", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote", "ms-outlook-quote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipping) for open skipped/quoted elements
        self.skip_depth = 0
        self.stopped = False  # Outlook's divRplyFwdMsg / appendonsend: everything after is the quote

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        element_id = values.get("id") or ""
        if element_id in {"divRplyFwdMsg", "appendonsend"} or element_id.startswith("reply-intro"):
            self.stopped = True
            return
        skip = tag in self.SKIPPED or bool(classes & self.QUOTE_CLASSES)
        if tag in {"br", "hr", "img", "meta", "link", "input"}:
            if tag in {"br", "hr"} and not self.skip_depth:
                self.parts.append("\n")
            return
        self.stack.append((tag, skip))
        if skip:
            self.skip_depth += 1
        elif tag in self.BLOCKS and not self.skip_depth:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.stopped:
            return
        # Close up to the matching tag (HTML in email is often not well-formed).
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                for _tag, skipping in self.stack[index:]:
                    if skipping:
                        self.skip_depth -= 1
                del self.stack[index:]
                break
        if tag in self.BLOCKS and not self.skip_depth:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth and not self.stopped:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(source: str) -> str:
    parser = _HTMLText()
    parser.feed(source or "")
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
