"""Markdown for posts and comments: CommonMark (markdown-it-py), then nh3.

Raw HTML in the source is escaped by the parser, and the rendered HTML goes
through nh3 with a small allow-list anyway, so that a parser bug can never
produce executable markup. @mentions and #topics are found on the token stream
(never inside code or links) and become links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

MENTION_RE = re.compile(r"(?<![\w@])@([a-z0-9](?:[a-z0-9._-]{0,38}[a-z0-9])?)", re.IGNORECASE)
# A topic needs a letter (so "#1" stays an issue number) and stops at punctuation.
TOPIC_RE = re.compile(r"(?<![\w#&])#((?=[\w-]*[^\W\d_])[^\W_](?:[\w-]{0,48}[^\W_])?)")
ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["strikethrough", "table"]).disable("image")


@dataclass
class Parsed:
    tokens: list[Token]
    handles: set[str] = field(default_factory=set)
    topics: dict[str, str] = field(default_factory=dict)  # lower-case key -> spelling as typed
    mentions_space: bool = False


def _text_children(tokens: list[Token]) -> list[tuple[Token, int]]:
    """Inline 'text' tokens that are not inside a link, with their index in the parent."""
    found = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        depth = 0
        for i, child in enumerate(block.children):
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and depth == 0:
                found.append((block, i))
    return found


def parse(source: str) -> Parsed:
    tokens = _md.parse(source or "")
    parsed = Parsed(tokens=tokens)
    for block, i in _text_children(tokens):
        assert block.children is not None
        text = block.children[i].content
        for match in MENTION_RE.finditer(text):
            handle = match.group(1).lower()
            if handle == "space":
                parsed.mentions_space = True
            else:
                parsed.handles.add(handle)
        for match in TOPIC_RE.finditer(text):
            parsed.topics.setdefault(match.group(1).lower(), match.group(1))
    return parsed


Linker = Callable[[str], str | None]


def _no_name(_handle: str) -> str | None:
    return None


def _link_tokens(href: str, text: str, css: str, title: str = "") -> list[Token]:
    attrs: dict[str, str | int | float] = {"href": href, "class": css}
    if title:
        attrs["title"] = title
    opening = Token("link_open", "a", 1, attrs=attrs)
    return [opening, Token("text", "", 0, content=text), Token("link_close", "a", -1)]


def render(parsed: Parsed, *, mention_url: Linker, topic_url: Linker, mention_name: Linker = _no_name) -> str:
    """HTML for `parsed`; `mention_url(handle)` / `topic_url(name)` return a URL, or None for plain text.

    A mention link reads "@" + `mention_name(handle)` when that gives a name (people know each other
    by name, not by handle), with the handle as typed in its title; the source text is unchanged.
    """
    pattern = re.compile(f"{MENTION_RE.pattern}|{TOPIC_RE.pattern}", re.IGNORECASE)
    for block in [t for t in parsed.tokens if t.type == "inline" and t.children]:
        assert block.children is not None
        new_children: list[Token] = []
        depth = 0
        for child in block.children:
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            if child.type != "text" or depth > 0:
                new_children.append(child)
                continue
            text, pos = child.content, 0
            for match in pattern.finditer(text):
                handle, topic = match.group(1), match.group(2)
                url = mention_url(handle.lower()) if handle else topic_url(topic.lower())
                if url is None:
                    continue
                if match.start() > pos:
                    new_children.append(Token("text", "", 0, content=text[pos : match.start()]))
                if handle:
                    name = mention_name(handle.lower())
                    label, title = (f"@{name}", match.group(0)) if name else (match.group(0), "")
                    new_children.extend(_link_tokens(url, label, "mention", title))
                else:
                    new_children.extend(_link_tokens(url, match.group(0), "topic"))
                pos = match.end()
            if pos < len(text):
                new_children.append(Token("text", "", 0, content=text[pos:]))
        block.children = new_children
    return sanitize(_md.renderer.render(parsed.tokens, _md.options, {}))


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def to_html(source: str) -> str:
    """Markdown without mention or topic links (for descriptions and previews)."""
    return render(parse(source), mention_url=lambda _h: None, topic_url=lambda _t: None)


def plain_text(source: str, limit: int = 200) -> str:
    """A one-line plain-text excerpt (for notifications and email subjects)."""
    text = html.unescape(nh3.clean(to_html(source), tags=set()))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
