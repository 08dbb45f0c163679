"""Decision pages: new poll / proposal, voting and answering (plain POST, then back), closing
with the outcome, the space's decision log and the organisation's key decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.errors import AlveoleError, PermissionDenied
from alveole.spaces.access import get_space_for, membership_of, visible_spaces
from alveole.spaces.models import Space
from alveole.spaces.pages import space_header
from alveole.web.shortcuts import safe_next, submit, web_view

from . import actions, selectors
from .access import get_decision_for, get_poll_for, get_proposal_for
from .forms import DecisionFilterForm, OutcomeForm, PollForm, ProposalForm, RespondForm
from .models import Answer, Decision, Poll, Proposal, Response

# --- new poll / proposal ------------------------------------------------------------------


@web_view
def poll_create(request: HttpRequest, space_id: int) -> HttpResponse:
    form = PollForm(request.POST or None)
    return _new_vote(
        request,
        space_id,
        form,
        # The form's fields are the action's arguments; the options come one a line.
        lambda viewer, space, data: actions.create_poll(viewer, space=space, **{**data, "options": form.option_list()}),
        done=_("Your poll is posted."),
        template="decisions/poll_new.html",
    )


@web_view
def proposal_create(request: HttpRequest, space_id: int) -> HttpResponse:
    form = ProposalForm(request.POST or None)
    return _new_vote(
        request,
        space_id,
        form,
        lambda viewer, space, data: actions.create_proposal(viewer, space=space, **data),
        done=_("Your proposal is posted."),
        template="decisions/proposal_new.html",
    )


def _new_vote(
    request: HttpRequest,
    space_id: int,
    form: forms.Form,
    create: Callable[[User, Space, dict[str, Any]], Poll | Proposal],
    *,
    done: str,
    template: str,
) -> HttpResponse:
    """A new poll or proposal: the form page; once posted, its card in the space's feed."""
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    return submit(
        request,
        form,
        lambda data: create(viewer, space, data),
        done=done,
        then=lambda item: reverse("space_detail", args=[space.pk]) + f"#post-{item.post_id}",
        page=lambda status: render(
            request, template, {**space_header(viewer, space, "decisions"), "form": form}, status=status
        ),
    )


# --- voting ---------------------------------------------------------------------------------


@require_POST
@web_view
def poll_vote(request: HttpRequest, poll_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    poll = get_poll_for(viewer, poll_id)
    try:
        option_ids = [int(v) for v in request.POST.getlist("option")]
    except ValueError:
        option_ids = []
    return _cast(request, poll.post_id, lambda: actions.vote(viewer, poll=poll, option_ids=option_ids),
                 done=_("Your vote is counted."))  # fmt: skip


@require_POST
@web_view
def proposal_respond(request: HttpRequest, proposal_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    proposal = get_proposal_for(viewer, proposal_id)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose agree, abstain, disagree or block."))
        return redirect(_back_to_card(request, proposal.post_id))
    data = form.cleaned_data
    return _cast(request, proposal.post_id,
                 lambda: actions.respond(viewer, proposal=proposal, answer=data["answer"], reason=data["reason"]),
                 done=_("Your answer is recorded."))  # fmt: skip


def _cast(request: HttpRequest, post_id: int, action: Callable[[], object], *, done: str) -> HttpResponse:
    """A vote or an answer from the post's card: call the action, say how it went, back to the card."""
    try:
        action()
    except AlveoleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(_back_to_card(request, post_id))


def _back_to_card(request: HttpRequest, post_id: int) -> str:
    return safe_next(request, reverse("post", args=[post_id])) + f"#post-{post_id}"


# --- closing ----------------------------------------------------------------------------------


def _close_page(request: HttpRequest, item: Poll | Proposal) -> HttpResponse:
    viewer = viewer_of(request)
    if item.author_id != viewer.pk:
        raise PermissionDenied(_("Only the author can close this vote."))
    form = OutcomeForm(request.POST or None)
    return submit(
        request,
        form,
        lambda data: actions.close_vote(viewer, item=item, outcome=data["outcome"]),
        done=_("Closed. The decision is in the log."),
        then=_decision_url,
        page=lambda status: _close_form(request, viewer, item, form, status),
    )


def _decision_url(decision: Decision) -> str:
    return reverse("decision", args=[decision.pk])


def _close_form(
    request: HttpRequest, viewer: User, item: Poll | Proposal, form: OutcomeForm, status: int
) -> HttpResponse:
    try:
        not_voted = list(selectors.who_has_not_voted(viewer, item))
    except PermissionDenied:  # an anonymous poll names nobody: the page leaves the line out
        not_voted = []
    answers: list[tuple[str, int]] = []
    reasons: list[Response] = []
    if isinstance(item, Poll):
        tallies = selectors.poll_tallies(item)
        title = item.question
    else:
        tallies = selectors.proposal_tallies(item)
        title = item.statement
        # The words people chose, not the stored keys, and the reasons they gave (blocks first).
        answers = [(str(label), tallies["counts"].get(value, 0)) for value, label in Answer.choices]
        reasons = sorted(
            (r for r in selectors.responses_of(item) if r.reason.strip()),
            key=lambda r: r.answer != Answer.BLOCK,
        )
    context = {
        **space_header(viewer, item.space, "decisions"),
        "form": form,
        "item": item,
        "title": title,
        "is_poll": isinstance(item, Poll),
        "tallies": tallies,
        "answers": answers,
        "reasons": reasons,
        "not_voted": not_voted,
    }
    return render(request, "decisions/close.html", context, status=status)


@web_view
def poll_close(request: HttpRequest, poll_id: int) -> HttpResponse:
    return _close_page(request, get_poll_for(viewer_of(request), poll_id))


@web_view
def proposal_close(request: HttpRequest, proposal_id: int) -> HttpResponse:
    return _close_page(request, get_proposal_for(viewer_of(request), proposal_id))


# --- decisions ------------------------------------------------------------------------------------


@web_view
def space_decisions(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    context = {
        **space_header(viewer, space, "decisions"),
        "decisions": list(selectors.space_decisions(viewer, space)[:200]),
        "can_post": _context_can_post(viewer, space),
    }
    return render(request, "decisions/space_log.html", context)


def _context_can_post(viewer: Any, space: Space) -> bool:
    return not space.is_archived and membership_of(viewer, space) is not None


@web_view
def key_decisions(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    spaces = list(visible_spaces(viewer).order_by("name").values_list("pk", "name"))
    form = DecisionFilterForm(request.GET or None, spaces=spaces)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {"space_id": data["space"], "since": data["since"], "until": data["until"]}
    context = {"form": form, "decisions": list(selectors.key_decisions(viewer, **filters)[:200])}
    return render(request, "decisions/key.html", context)


@web_view
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    decision = get_decision_for(viewer, decision_id)
    source = decision.poll or decision.proposal
    is_author = source is not None and source.author_id == viewer.pk
    if request.method == "POST" and not is_author:
        raise PermissionDenied(_("Only the author of the vote can write its outcome."))
    form = OutcomeForm(request.POST or None, initial={"outcome": "" if decision.outcome_pending else decision.outcome})
    return submit(
        request,
        form,
        lambda data: actions.write_outcome(viewer, decision=decision, outcome=data["outcome"]),
        done=_("The outcome is saved."),
        then=_decision_url,
        page=lambda status: render(
            request,
            "decisions/decision.html",
            {
                **space_header(viewer, decision.space, "decisions"),
                "decision": decision,
                "form": form if is_author else None,
                "rows": _tally_rows(decision),
            },
            status=status,
        ),
    )


def _tally_rows(decision: Decision) -> list[dict[str, Any]]:
    """(label, count, percent) lines for the decision's final tallies; never names."""
    tallies = decision.tallies or {}
    if decision.poll_id:
        rows = [(o["label"], o["count"]) for o in tallies.get("options", [])]
    else:
        counts = tallies.get("counts", {})
        rows = [(label, counts.get(value, 0)) for value, label in Answer.choices]
    total = sum(count for _label, count in rows) or 1
    return [{"label": label, "count": count, "percent": round(100 * count / total)} for label, count in rows]
