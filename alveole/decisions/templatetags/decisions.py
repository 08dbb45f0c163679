"""`{% vote_card item %}`: the poll or proposal of a feed card.

The first card of a page loads the polls and proposals of every post on that page
(`items`, `pinned`, or the single `item`) in a fixed number of queries, and keeps them
on the request, so a feed page costs the same whatever its length.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from alveole.accounts.models import User
from alveole.decisions import selectors
from alveole.decisions.forms import RespondForm
from alveole.decisions.models import Answer, Poll, Proposal

register = template.Library()

CACHE = "_alveole_vote_cards"


def _page_votes(context: template.Context, viewer: User, post_id: int) -> selectors.PostVotes:
    request = context.get("request")
    cache: dict[int, tuple[selectors.PostVotes]] | None = getattr(request, CACHE, None) if request else None
    if cache is not None and post_id in cache:
        return cache[post_id][0]
    ids = {post_id}
    for name in ("items", "pinned"):
        for entry in context.get(name) or []:
            post = getattr(entry, "post", None)
            if post is not None:
                ids.add(post.pk)
    votes = selectors.votes_for_posts(viewer, ids)
    if request is not None:
        cache = cache or {}
        cache.update(dict.fromkeys(ids, (votes,)))
        setattr(request, CACHE, cache)
    return votes


def _poll_context(poll: Poll, viewer: Any, *, expanded: bool = False) -> dict[str, Any]:
    visible = poll.results_visible
    options = list(poll.options.all())
    counts = {o.pk: (o.tally.count if poll.anonymous else o.named_votes) for o in options}  # type: ignore[attr-defined]
    total = sum(counts.values()) or 1
    voted = bool(poll.i_voted)  # type: ignore[attr-defined]
    # On the post's own page, the author of a named poll sees who chose what (never in anonymous polls).
    voters = selectors.voters_by_option(poll) if expanded and poll.author_id == viewer.pk and not poll.anonymous else {}
    return {
        "poll": poll,
        "options": [
            {
                "option": o,
                "count": counts[o.pk],
                "percent": round(100 * counts[o.pk] / total),
                "mine": bool(o.mine) and not poll.anonymous,  # type: ignore[attr-defined]
                "voters": voters.get(o.pk, []),
            }
            for o in options
        ],
        "results_visible": visible,
        "participants": poll.participant_total,  # type: ignore[attr-defined]
        "has_voted": voted,
        "closed": poll.is_closed,
        "can_vote": not poll.is_closed and not (poll.anonymous and voted) and not poll.space.is_archived,
        "is_author": poll.author_id == viewer.pk,
    }


def _proposal_context(proposal: Proposal, viewer: Any, *, expanded: bool = False) -> dict[str, Any]:
    labels = dict(Answer.choices)
    return {
        # Answers are given by name: shown with their reasons on the post's own page.
        "responses": [
            {"user": r.user, "label": labels[r.answer], "reason": r.reason} for r in selectors.responses_of(proposal)
        ]
        if expanded
        else [],
        "my_answer_label": labels.get(proposal.my_answer or "", ""),  # type: ignore[attr-defined]
        "proposal": proposal,
        "participants": proposal.participant_total,  # type: ignore[attr-defined]
        "my_answer": proposal.my_answer,  # type: ignore[attr-defined]
        "closed": proposal.is_closed,
        "can_respond": not proposal.is_closed and not proposal.space.is_archived,
        "is_author": proposal.author_id == viewer.pk,
        "answers": Answer.choices,
        "form": RespondForm(),
    }


@register.simple_tag(takes_context=True)
def vote_card(context: template.Context, item: Any) -> SafeString:
    post = getattr(item, "post", None)
    viewer = context.get("user")
    if post is None or post.space_id is None or not isinstance(viewer, User):
        return mark_safe("")
    votes = _page_votes(context, viewer, post.pk)
    request = context.get("request")
    extra = {"here": context.get("here", ""), "post": post}
    expanded = bool(context.get("expanded"))
    if post.pk in votes.polls:
        poll = votes.polls[post.pk]
        poll.space = post.space
        return mark_safe(  # noqa: S308 - a rendered, auto-escaped template
            render_to_string(
                "decisions/_poll.html", {**_poll_context(poll, viewer, expanded=expanded), **extra}, request=request
            )
        )
    if post.pk in votes.proposals:
        proposal = votes.proposals[post.pk]
        proposal.space = post.space
        return mark_safe(  # noqa: S308 - a rendered, auto-escaped template
            render_to_string(
                "decisions/_proposal.html",
                {**_proposal_context(proposal, viewer, expanded=expanded), **extra},
                request=request,
            )
        )
    return mark_safe("")
