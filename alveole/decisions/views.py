"""Decision pages: new poll / proposal, voting and answering (plain POST, then back), closing
with the outcome, the space's decision log and the organisation's key decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.core.errors import AlveoleError, PermissionDenied
from alveole.spaces.access import get_space_for, membership_of, visible_spaces
from alveole.spaces.models import Space
from alveole.spaces.pages import space_header
from alveole.web.shortcuts import apply_error, invalid_form_status, safe_next, submit, web_view

from . import actions, selectors
from .access import get_decision_for, get_poll_for, get_proposal_for
from .forms import DecisionFilterForm, OutcomeForm, PollForm, ProposalForm, RespondForm
from .models import Answer, Decision, Poll, Proposal, Response


def _post_url(post_id: int) -> str:
    return reverse("post", args=[post_id])


# --- new poll / proposal ------------------------------------------------------------------


@web_view
def poll_create(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    form = PollForm(request.POST or None)
    return submit(
        request,
        form,
        lambda data: actions.create_poll(
            viewer,
            space=space,
            question=data["question"],
            options=form.option_list(),
            closes_at=data["closes_at"],
            multiple=data["multiple"],
            hide_results_until_closed=data["hide_results_until_closed"],
            anonymous=data["anonymous"],
        ),
        done=_("Your poll is posted."),
        then=lambda poll: _in_space(space, poll.post_id),
        page=lambda status: _new_page(request, viewer, space, form, "decisions/poll_new.html", status),
    )


@web_view
def proposal_create(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    form = ProposalForm(request.POST or None)
    return submit(
        request,
        form,
        lambda data: actions.create_proposal(
            viewer, space=space, statement=data["statement"], closes_at=data["closes_at"], quorum=data["quorum"]
        ),
        done=_("Your proposal is posted."),
        then=lambda proposal: _in_space(space, proposal.post_id),
        page=lambda status: _new_page(request, viewer, space, form, "decisions/proposal_new.html", status),
    )


def _in_space(space: Space, post_id: int) -> str:
    return reverse("space_detail", args=[space.pk]) + f"#post-{post_id}"


def _new_page(request: HttpRequest, viewer: Any, space: Space, form: Any, template: str, status: int) -> HttpResponse:
    return render(request, template, {**space_header(viewer, space, "decisions"), "form": form}, status=status)


# --- voting ---------------------------------------------------------------------------------


@require_POST
@web_view
def poll_vote(request: HttpRequest, poll_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    poll = get_poll_for(viewer, poll_id)
    back = safe_next(request, _post_url(poll.post_id)) + f"#post-{poll.post_id}"
    try:
        option_ids = [int(v) for v in request.POST.getlist("option")]
    except ValueError:
        option_ids = []
    try:
        actions.vote(viewer, poll=poll, option_ids=option_ids)
    except AlveoleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your vote is counted."))
    return redirect(back)


@require_POST
@web_view
def proposal_respond(request: HttpRequest, proposal_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    proposal = get_proposal_for(viewer, proposal_id)
    back = safe_next(request, _post_url(proposal.post_id)) + f"#post-{proposal.post_id}"
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose agree, abstain, disagree or block."))
        return redirect(back)
    try:
        actions.respond(viewer, proposal=proposal, answer=form.cleaned_data["answer"],
                        reason=form.cleaned_data["reason"])  # fmt: skip
    except AlveoleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your answer is recorded."))
    return redirect(back)


# --- closing ----------------------------------------------------------------------------------


def _close_page(request: HttpRequest, item: Poll | Proposal) -> HttpResponse:
    viewer = viewer_of(request)
    if item.author_id != viewer.pk:
        raise PermissionDenied(_("Only the author can close this vote."))
    status = 200
    form = OutcomeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                if isinstance(item, Poll):
                    decision = actions.close_poll(viewer, poll=item, outcome=form.cleaned_data["outcome"])
                else:
                    decision = actions.close_proposal(viewer, proposal=item, outcome=form.cleaned_data["outcome"])
            except AlveoleError as exc:
                status = apply_error(form, exc)
            else:
                messages.success(request, _("Closed. The decision is in the log."))
                return redirect("decision", decision_id=decision.pk)
        else:
            status = invalid_form_status(form)
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
    status = 200
    form = OutcomeForm(request.POST or None, initial={"outcome": "" if decision.outcome_pending else decision.outcome})
    if request.method == "POST":
        if not is_author:
            raise PermissionDenied(_("Only the author of the vote can write its outcome."))
        if form.is_valid():
            try:
                actions.write_outcome(viewer, decision=decision, outcome=form.cleaned_data["outcome"])
            except AlveoleError as exc:
                status = apply_error(form, exc)
            else:
                messages.success(request, _("The outcome is saved."))
                return redirect("decision", decision_id=decision.pk)
        else:
            status = invalid_form_status(form)
    context = {
        **space_header(viewer, decision.space, "decisions"),
        "decision": decision,
        "form": form if is_author else None,
        "rows": _tally_rows(decision),
    }
    return render(request, "decisions/decision.html", context, status=status)


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
