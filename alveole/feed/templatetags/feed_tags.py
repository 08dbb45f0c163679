"""Small helpers for post cards: reaction labels, the six quick reactions and the per-post summary."""

from __future__ import annotations

from functools import cache

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from alveole.core.markdown import plain_text
from alveole.feed import cardcache, reactions

register = template.Library()


@cache
def _icon_svg(name: str, css_class: str) -> SafeString:
    return SafeString(render_to_string("feed/_icon.html", {"name": name, "class": css_class}))


@register.simple_tag
def icon(name: str, css_class: str = "") -> SafeString:
    """`feed/_icon.html` for one name, rendered once per process: a card shows a dozen icons, and the
    template's chain of {% if %} per icon was a fifth of a feed page's rendering."""
    return _icon_svg(name, css_class)


@register.filter
def reaction_label(kind: str) -> str:
    return reactions.label(kind)


@register.simple_tag
def quick_reactions() -> list[tuple[str, str]]:
    return reactions.quick()


@register.simple_tag
def reaction_summary(counts: dict[str, int]) -> list[dict]:
    """The reactions of a post in the bar's order (reactions.ordered): [{emoji, label, n}]."""
    return [{"emoji": e, "label": reactions.label(e), "n": n} for e, n in reactions.ordered(counts)]


@register.simple_tag
def reaction_total(counts: dict[str, int]) -> int:
    return sum(counts.values())


def _pattern(url_name: str, /, **placeholders: str) -> str:
    """An address with {placeholders} for the scripts to fill, e.g. _pattern("post", post_id="id") →
    "/posts/{id}/": reversed with stand-ins (an <int:…> converter takes no "{id}"), then replaced."""
    stand_ins = {kwarg: str(987654320 + i) for i, kwarg in enumerate(placeholders)}
    url = reverse(url_name, kwargs=stand_ins)
    for kwarg, placeholder in placeholders.items():
        url = url.replace(stand_ins[kwarg], "{" + placeholder + "}")
    return url


@register.simple_tag(takes_context=True)
def client_config(context: template.Context) -> SafeString:
    """What the page's scripts need from the server (request.js): every address they call, rendered
    with Django's URL resolver rather than typed into JavaScript, and the generic error sentence."""
    language = reactions.picker_language()
    config = {
        "urls": {
            "post": _pattern("post", post_id="id"),
            "post_comments": _pattern("post_comments", post_id="id"),
            "topic": _pattern("topic", name="name"),
            "reads": reverse("api:record_reads"),
            "mentions_suggest": reverse("api:suggest_mentions"),
            "notifications_unread": reverse("api:unread"),
            "emoji": reverse("emoji_data", args=[language]) + "?v=" + reactions.version(),
        },
        "messages": {
            "failed": _("Something went wrong; try again."),
            "offline": _("The server cannot be reached. Check your connection and try again."),
        },
    }
    return json_script(config, "alveole-client")


@register.filter
def excerpt(body: str, limit: int = 90) -> str:
    """A post's Markdown as a short plain-text line."""

    return plain_text(body or "", int(limit))


class CardPartNode(template.Node):
    def __init__(self, part: str, nodelist: template.NodeList) -> None:
        self.part = part
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        parts = context.get("card_parts")
        item = context.get("item")
        if parts is None or item is None:
            return self.nodelist.render(context)
        key = cardcache.key(item, self.part, expanded=bool(context.get("expanded")))
        html = parts.get(key)
        if html is None:
            html = self.nodelist.render(context)
            parts.put(key, html)
        return SafeString(html)


@register.tag
def cardpart(parser: template.base.Parser, token: template.base.Token) -> CardPartNode:
    """`{% cardpart "content" %}…{% endcardpart %}`: a part of a feed card that is the same for every reader,
    from the page's cache (feed/cardcache.py) when `card_parts` is in the context. Use nothing in it that
    depends on the reader, the time or the request."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1].strip("\"'") not in cardcache.PARTS:
        raise template.TemplateSyntaxError(f"cardpart takes one of {cardcache.PARTS}")
    nodelist = parser.parse(("endcardpart",))
    parser.delete_first_token()
    return CardPartNode(bits[1].strip("\"'"), nodelist)
