"""Direct messages' pages: the inbox, a conversation with its composer, and the buttons around them.

Thin as the other views: parse, find through `access`, call one action, redirect or render.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.core.cursors import paginate
from alveole.core.errors import AlveoleError, Invalid
from alveole.feed.policies import upload_rules
from alveole.web.shortcuts import act, submit, web_view

from . import actions, selectors
from .access import get_conversation_for, get_message_for, participation_of
from .forms import NewConversationForm
from .models import Conversation

INBOX_PAGE = 30
MESSAGES_SHOWN = 50


@web_view
def inbox(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    items, next_cursor = paginate(
        selectors.inbox(viewer),
        order=("-last_message_at", "-id"),
        cursor=request.GET.get("cursor") or None,
        limit=INBOX_PAGE,
    )
    context = {
        "rows": selectors.rows_for(viewer, items),
        "more_url": f"{reverse('messages')}?cursor={next_cursor}" if next_cursor else "",
        "is_first_page": not request.GET.get("cursor"),
    }
    return render(request, "conversations/inbox.html", context)


def _people_ids(request: HttpRequest) -> list[int]:
    try:
        return [int(v) for v in request.POST.getlist("person") if v.strip()]
    except ValueError:
        raise Invalid(fields={"people": _("Choose people from the list.")}) from None


@web_view
def start(request: HttpRequest) -> HttpResponse:
    """The "Message" button of a profile or the people list (it posts `person` only: open our conversation,
    started if need be), and the page to write to one person or a few."""
    viewer = viewer_of(request)
    if request.method == "POST" and "body" not in request.POST:
        conversation, _created = actions.start_conversation(viewer, people_ids=_people_ids(request))
        return redirect("conversation", conversation.pk)
    form = NewConversationForm(viewer, request.POST if request.method == "POST" else None)
    return submit(
        request,
        form,
        lambda data: actions.start_conversation(
            viewer, people_ids=[int(i) for i in data["person"]], title=data["title"], body=data["body"]
        )[0],
        done=_("Message sent."),
        then=lambda conversation: reverse("conversation", args=[conversation.pk]),
        page=lambda status: render(request, "conversations/new.html", {"form": form}, status=status),
        field_map={"people": "person"},
    )


@web_view
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    found = get_conversation_for(viewer, conversation_id)
    return _conversation_page(request, found)


def _conversation_page(
    request: HttpRequest, found: Conversation, *, body: str = "", error: AlveoleError | None = None
) -> HttpResponse:
    viewer = viewer_of(request)
    mine = participation_of(viewer, found)
    # Oldest first on the page; the newest MESSAGES_SHOWN, with a link to older ones.
    newest, older_cursor = paginate(
        selectors.messages_of(found),
        order=("-created_at", "-id"),
        cursor=request.GET.get("cursor") or None,
        limit=MESSAGES_SHOWN,
    )
    [row] = selectors.rows_for(viewer, [found])
    editing = None
    if request.GET.get("edit"):
        editing = get_message_for(viewer, request.GET["edit"])
        if editing.conversation_id != found.pk or editing.author_id != viewer.pk:
            editing = None
        elif not body:
            body = editing.body
    replying_to = None
    if request.GET.get("reply"):
        replying_to = get_message_for(viewer, request.GET["reply"])
        if replying_to.conversation_id != found.pk:
            replying_to = None
    last_read = mine.last_read_at
    if request.method == "GET" and not request.GET.get("cursor"):
        actions.mark_read(viewer, conversation=found)  # opening it reads it
    context = {
        "conversation": found,
        "row": row,
        "me": mine,
        "thread": list(
            reversed(selectors.with_extras(newest, viewer))
        ),  # not "messages": the layout shows Django's messages under that name
        "last_read": last_read,
        "older_url": f"{reverse('conversation', args=[found.pk])}?cursor={older_cursor}" if older_cursor else "",
        "body": body,
        "replying_to": replying_to,
        "editing": editing,
        "error": error,
        "max_length": settings.ALVEOLE_MESSAGE_MAX_LENGTH,
        "files_max": settings.ALVEOLE_MESSAGE_FILES_MAX,
        "upload_accept": upload_rules(viewer).accept,
    }
    return render(request, "conversations/conversation.html", context, status=error.status if error else 200)


@require_POST
@web_view
def send(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    found = get_conversation_for(viewer, conversation_id)
    body = request.POST.get("body", "")
    parent_id = request.POST.get("parent")
    uploads = [actions.Upload(f, f.name or "", f.size or 0) for f in request.FILES.getlist("files") if f.size]
    try:
        parent = get_message_for(viewer, parent_id) if parent_id else None
        message = actions.send_message(viewer, conversation=found, body=body, parent=parent, uploads=uploads)
    except AlveoleError as exc:
        if request.headers.get("X-Alveole-Fragment"):
            return render(request, "feed/_error.html", {"message": exc.message}, status=exc.status)
        return _conversation_page(request, found, body=body, error=exc)
    if request.headers.get("X-Alveole-Fragment"):
        selectors.with_extras([message], viewer)
        return render(request, "conversations/_message.html", {"m": message, "user": viewer})
    return redirect(f"{reverse('conversation', args=[found.pk])}#message-{message.pk}")


@web_view
def message_fragment(request: HttpRequest, message_id: int) -> HttpResponse:
    """One message as the page shows it (live delivery fetches it, so it is drawn by the same template)."""
    viewer = viewer_of(request)
    message = get_message_for(viewer, message_id)
    selectors.with_extras([message], viewer)
    return render(request, "conversations/_message.html", {"m": message})


@require_POST
@web_view
def react(request: HttpRequest, message_id: int) -> HttpResponse:
    """The reaction buttons under a message: the same emoji again removes it, another replaces it. Sent by
    the page's script, the answer is the message's reactions, drawn again."""
    viewer = viewer_of(request)
    message = get_message_for(viewer, message_id)
    kind = request.POST.get("kind", "")
    then = f"{reverse('conversation', args=[message.conversation_id])}#message-{message.pk}"
    if not request.headers.get("X-Alveole-Fragment"):
        return act(request, lambda: actions.react(viewer, message=message, kind=kind, toggle=True), done="", then=then)
    try:
        actions.react(viewer, message=message, kind=kind, toggle=True)
    except AlveoleError as exc:
        return render(request, "feed/_error.html", {"message": exc.message}, status=exc.status)
    selectors.with_extras([message], viewer)
    return render(request, "conversations/_reactions.html", {"m": message})


@require_POST
@web_view
def edit_message(request: HttpRequest, message_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    message = get_message_for(viewer, message_id)
    then = f"{reverse('conversation', args=[message.conversation_id])}#message-{message.pk}"
    body = request.POST.get("body", "")
    return act(request, lambda: actions.edit_message(viewer, message=message, body=body), done="", then=then)


@require_POST
@web_view
def delete_message(request: HttpRequest, message_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    message = get_message_for(viewer, message_id)
    return act(
        request,
        lambda: actions.delete_message(viewer, message=message),
        done=_("Message deleted."),
        then=reverse("conversation", args=[message.conversation_id]),
    )


@require_POST
@web_view
def mute(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    found = get_conversation_for(viewer, conversation_id)
    muted = request.POST.get("muted") == "on"
    return act(
        request,
        lambda: actions.set_muted(viewer, conversation=found, muted=muted),
        done=_("Conversation muted.") if muted else _("Conversation unmuted."),
        then=reverse("conversation", args=[found.pk]),
    )


@require_POST
@web_view
def leave(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    found = get_conversation_for(viewer, conversation_id)
    return act(
        request,
        lambda: actions.leave_conversation(viewer, conversation=found),
        done=_("You left the conversation."),
        then=reverse("messages"),
    )
