"""Small helpers for post cards: reaction emoji, labels and the per-post summary."""

from __future__ import annotations

from django import template

from alveole.feed.models import ReactionKind

register = template.Library()

EMOJI = {"like": "👍", "love": "❤️", "celebrate": "🎉", "laugh": "😄", "idea": "💡", "sad": "😢"}


@register.filter
def reaction_emoji(kind: str) -> str:
    return EMOJI.get(kind, "")


@register.filter
def reaction_label(kind: str) -> str:
    try:
        return str(ReactionKind(kind).label)
    except ValueError:
        return ""


@register.simple_tag
def reaction_summary(reactions: dict[str, int]) -> list[dict]:
    """The reactions of a post, most frequent first: [{kind, emoji, label, n}]."""
    rows = sorted(reactions.items(), key=lambda kv: (-kv[1], list(EMOJI).index(kv[0]) if kv[0] in EMOJI else 99))
    return [{"kind": k, "emoji": EMOJI.get(k, ""), "label": reaction_label(k), "n": n} for k, n in rows if n]


@register.simple_tag
def reaction_total(reactions: dict[str, int]) -> int:
    return sum(reactions.values())


@register.filter
def excerpt(body: str, limit: int = 90) -> str:
    """A post's Markdown as a short plain-text line."""
    from alveole.core.markdown import plain_text

    return plain_text(body or "", int(limit))
