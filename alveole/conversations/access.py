"""Who may see a conversation and whom one may write to.

A conversation is confidential by nature: only its participants (who have not left) see it, whatever
their role. Who may write to whom follows the people directory (spaces.people): a guest only to the
people of their spaces, nobody to another organisation. Everyone in a conversation must be able to see
everyone else, so a guest is never put beside someone they do not share a space with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.core.errors import Invalid, NotFound, PermissionDenied
from alveole.spaces.people import people_visible_to

from .models import Conversation, Message, MessageAttachment, Participant


def conversations_of(viewer: User) -> QuerySet[Conversation]:
    if not viewer.is_authenticated or not viewer.is_active or viewer.organisation_id is None:
        return Conversation.objects.none()
    return Conversation.objects.filter(
        organisation_id=viewer.organisation_id, participants__user=viewer, participants__left_at__isnull=True
    )


def get_conversation_for(viewer: User, conversation_id: int | str) -> Conversation:
    try:
        return conversations_of(viewer).get(pk=int(conversation_id))
    except (Conversation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def participation_of(viewer: User, conversation: Conversation) -> Participant:
    try:
        return Participant.objects.get(conversation=conversation, user=viewer, left_at__isnull=True)
    except Participant.DoesNotExist:
        raise NotFound() from None


def get_message_for(viewer: User, message_id: int | str) -> Message:
    try:
        return Message.objects.select_related("conversation").get(
            pk=int(message_id), conversation__in=conversations_of(viewer), deleted_at__isnull=True
        )
    except (Message.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_attachment_for(viewer: User, attachment_id: int | str) -> MessageAttachment:
    """A file of a conversation the viewer is in now (an admin is nobody special here); an upload not sent
    yet only for its uploader. NotFound for anything else, so nobody learns that a file exists."""
    try:
        return MessageAttachment.objects.get(
            Q(message__isnull=False, message__deleted_at__isnull=True) | Q(message__isnull=True, uploader=viewer),
            pk=int(attachment_id),
            conversation__in=conversations_of(viewer),
        )
    except (MessageAttachment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def may_message(viewer: User, person: User) -> bool:
    """Whether the "Message" button shows for `person` (the page already knows the viewer sees them)."""
    return viewer.is_authenticated and viewer.is_active and person.pk != viewer.pk and person.is_active


def recipients_for(viewer: User, ids: Iterable[int]) -> list[User]:
    """The people `viewer` may write to among `ids`; NotFound for anyone they may not see (no probing)."""
    wanted = {int(i) for i in ids} - {viewer.pk}
    if not wanted:
        raise Invalid(fields={"people": _("Choose at least one person to write to.")})
    limit = settings.ALVEOLE_CONVERSATION_MAX_PEOPLE
    if len(wanted) + 1 > limit:
        raise Invalid(fields={"people": _("A conversation holds at most %(n)d people.") % {"n": limit}})
    people = list(people_visible_to(viewer).filter(pk__in=wanted))
    if len(people) != len(wanted):
        raise NotFound(_("One of these people does not exist or you cannot write to them."))
    return people


def check_together(people: Sequence[User]) -> None:
    """Everyone may see everyone: only guests limit it (members and admins see every non-guest)."""
    ids = {p.pk for p in people}
    for person in people:
        if not person.is_guest:
            continue
        seen = set(people_visible_to(person).filter(pk__in=ids).values_list("pk", flat=True))
        if seen != ids:
            raise PermissionDenied(
                _("%(name)s is a guest and does not share a space with everyone in this conversation.")
                % {"name": person.full_name or person.handle}
            )
