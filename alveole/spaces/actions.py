"""Every change to spaces and their membership goes through here."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.accounts.models import User
from alveole.core import audit
from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from alveole.live.models import Audience
from alveole.live.publish import publish

from . import events, labels, signals
from .access import can_manage, check_space_open_for_changes, membership_of
from .models import Label, Space, SpaceKind, SpaceMembership, SpaceRole, Visibility
from .policies import check_may_add_guest, check_may_create_confidential_space, check_may_create_space

MANAGERS_ONLY = gettext_lazy("Only the space's managers can do this.")


def _clean_fields(*, name: str | None, description: str | None, kind: str | None, visibility: str | None) -> dict:
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if name is not None:
        name = " ".join(name.split())
        if not name:
            errors["name"] = _("Give the space a name.")
        elif len(name) > 80:
            errors["name"] = _("Use at most 80 characters for the name.")
        values["name"] = name
    if description is not None:
        description = description.strip()
        if len(description) > 2000:
            errors["description"] = _("Use at most 2,000 characters for the description.")
        values["description"] = description
    if kind is not None:
        if kind not in SpaceKind.values:
            errors["kind"] = _("Choose “team” or “project”.")
        values["kind"] = kind
    if visibility is not None:
        if visibility not in Visibility.values:
            errors["visibility"] = _("Choose “open” or “private”.")
        values["visibility"] = visibility
    if errors:
        raise Invalid(fields=errors)
    return values


def _member_added(space: Space, membership: SpaceMembership) -> None:
    publish(
        events.SpaceMemberAdded(space_id=space.pk, user_id=membership.user_id, role=membership.role),
        organisation_id=space.organisation_id,
        audience=Audience.SPACE,
        space_id=space.pk,
    )


def _member_removed(space: Space, user_id: int) -> None:
    # Sent to the space's readers, the removed person included: their view is
    # recomputed right after, so this is the last event of the space they get.
    publish(
        events.SpaceMemberRemoved(space_id=space.pk, user_id=user_id),
        organisation_id=space.organisation_id,
        audience=Audience.SPACE,
        space_id=space.pk,
    )


def _space_updated(space: Space) -> None:
    publish(
        events.SpaceUpdated(
            space_id=space.pk,
            name=space.name,
            description=space.description,
            kind=space.kind,
            visibility=space.visibility,
            archived=space.is_archived,
        ),
        organisation_id=space.organisation_id,
        audience=Audience.SPACE,
        space_id=space.pk,
    )


def _require_manager(actor: User, space: Space) -> None:
    if not can_manage(actor, space):
        raise PermissionDenied(MANAGERS_ONLY)


def _clean_label(actor: User, label: Label | None) -> Label | None:
    """The label to store: one of the actor's organisation, None for its lowest (spaces.labels)."""
    if label is None:
        return None
    if label.organisation_id != actor.organisation_id:
        raise NotFound(_("This label does not exist."))
    lowest = labels.lowest_label(actor.organisation_id)
    return None if lowest is not None and lowest.pk == label.pk else label


def _change_label(actor: User, space: Space, label: Label) -> bool:
    """Give `space` another label; True when it changed. Restricting it, or lifting the restriction, is
    for those who may create confidential spaces; restricting a space with guests is refused, naming them."""
    new = _clean_label(actor, label)
    if new == labels.space_label(space):
        return False
    was = labels.is_restricted(space)
    now = new is not None and new.restricted
    if was != now:
        check_may_create_confidential_space(actor)
    if now and not was:
        labels.check_no_guests(space)
    before = str(labels.space_label(space) or labels.lowest_label(space.organisation_id) or "")
    space.label = new
    audit.record("space.label", actor=actor, target=space, before=before, after=str(label))
    return True


@transaction.atomic
def create_space(
    actor: User,
    *,
    name: str,
    description: str = "",
    kind: str = SpaceKind.TEAM,
    visibility: str = Visibility.OPEN,
    label: Label | None = None,
) -> Space:
    check_may_create_space(actor)
    values = _clean_fields(name=name, description=description, kind=kind, visibility=visibility)
    stored = _clean_label(actor, label)
    if stored is not None and stored.restricted:
        check_may_create_confidential_space(actor)
    space = Space.objects.create(organisation_id=actor.org_id, created_by=actor, label=stored, **values)
    SpaceMembership.objects.create(space=space, user=actor, role=SpaceRole.MANAGER)
    audit.record("space.create", actor=actor, target=space, confidentiality=str(stored or ""))
    created = events.SpaceCreated(
        space_id=space.pk, name=space.name, kind=space.kind, visibility=space.visibility, created_by=actor.pk
    )
    # Sent before anyone's rights include the new space: to everyone but guests when it is open,
    # else to its creator, its only member (by person, so their own sockets get it at once).
    if space.is_open:
        publish(created, organisation_id=space.organisation_id, audience=Audience.MEMBERS)
    else:
        publish(created, organisation_id=space.organisation_id, audience=Audience.USER, user_id=actor.pk)
    return space


@transaction.atomic
def update_space(
    actor: User,
    *,
    space: Space,
    name: str | None = None,
    description: str | None = None,
    kind: str | None = None,
    visibility: str | None = None,
    label: Label | None = None,
) -> Space:
    _require_manager(actor, space)
    check_space_open_for_changes(space, restore_hint=True)
    values = _clean_fields(name=name, description=description, kind=kind, visibility=visibility)
    for field, value in values.items():
        setattr(space, field, value)
    fields = list(values)
    if label is not None and _change_label(actor, space, label):
        fields.append("label")
    space.save(update_fields=fields or None)
    audit.record("space.update", actor=actor, target=space, fields=sorted(values))
    _space_updated(space)
    return space


@transaction.atomic
def archive_space(actor: User, *, space: Space) -> Space:
    _require_manager(actor, space)
    if not space.is_archived:
        space.archived_at = timezone.now()
        space.save(update_fields=["archived_at"])
        audit.record("space.archive", actor=actor, target=space)
        _space_updated(space)
    return space


@transaction.atomic
def unarchive_space(actor: User, *, space: Space) -> Space:
    _require_manager(actor, space)
    if space.is_archived:
        space.archived_at = None
        space.save(update_fields=["archived_at"])
        audit.record("space.unarchive", actor=actor, target=space)
        _space_updated(space)
    return space


@transaction.atomic
def join_space(actor: User, *, space: Space) -> SpaceMembership:
    """Join an open space (guests and private spaces need to be added by a manager)."""
    check_space_open_for_changes(space, restore_hint=True)
    existing = membership_of(actor, space)
    if existing is not None:
        return existing
    if actor.is_guest or not space.is_open or space.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("This space is private: ask one of its managers to add you."))
    membership = SpaceMembership.objects.create(space=space, user=actor, role=SpaceRole.MEMBER)
    audit.record("space.join", actor=actor, target=space)
    _member_added(space, membership)
    return membership


def _check_keeps_a_manager(space: Space, leaving: SpaceMembership) -> None:
    if leaving.role == SpaceRole.MANAGER:
        others = SpaceMembership.objects.filter(space=space, role=SpaceRole.MANAGER).exclude(pk=leaving.pk)
        if not others.exists():
            raise Conflict(_("A space needs at least one manager: make someone else manager first."))


@transaction.atomic
def leave_space(actor: User, *, space: Space) -> None:
    membership = membership_of(actor, space)
    if membership is None:
        raise Conflict(_("You are not a member of this space."))
    _check_keeps_a_manager(space, membership)
    membership.delete()
    audit.record("space.leave", actor=actor, target=space)
    _member_removed(space, actor.pk)


@transaction.atomic
def add_space_member(actor: User, *, space: Space, user: User, role: str = SpaceRole.MEMBER) -> SpaceMembership:
    if user.is_guest and user.organisation_id == space.organisation_id:
        check_may_add_guest(actor, space)
        labels.check_guest_may_join(space)
    else:
        _require_manager(actor, space)
    check_space_open_for_changes(space, restore_hint=True)
    if user.organisation_id != space.organisation_id or not user.is_active:
        raise NotFound(_("This person does not exist or is not active in your organisation."))
    if role not in SpaceRole.values:
        raise Invalid(fields={"role": _("Choose “manager” or “member”.")})
    if user.is_guest and role == SpaceRole.MANAGER:
        raise Invalid(fields={"role": _("Guests cannot manage a space.")})
    try:
        with transaction.atomic():
            membership = SpaceMembership.objects.create(space=space, user=user, role=role)
    except IntegrityError:
        raise Conflict(_("%(name)s is already a member of this space.") % {"name": user}) from None
    audit.record("space.member_add", actor=actor, target=space, member=user.pk, role=role)
    _member_added(space, membership)
    signals.member_added.send(SpaceMembership, space_id=space.pk, user_id=user.pk, actor_id=actor.pk)
    return membership


@transaction.atomic
def set_space_member_role(actor: User, *, space: Space, user: User, role: str) -> SpaceMembership:
    _require_manager(actor, space)
    check_space_open_for_changes(space, restore_hint=True)
    if role not in SpaceRole.values:
        raise Invalid(fields={"role": _("Choose “manager” or “member”.")})
    membership = SpaceMembership.objects.filter(space=space, user=user).first()
    if membership is None:
        raise NotFound()
    if user.is_guest and role == SpaceRole.MANAGER:
        raise Invalid(fields={"role": _("Guests cannot manage a space.")})
    if role == SpaceRole.MEMBER:
        _check_keeps_a_manager(space, membership)
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record("space.member_role", actor=actor, target=space, member=user.pk, role=role)
    _member_added(space, membership)
    return membership


@transaction.atomic
def remove_space_member(actor: User, *, space: Space, user: User) -> None:
    _require_manager(actor, space)
    check_space_open_for_changes(space, restore_hint=True)
    membership = SpaceMembership.objects.filter(space=space, user=user).first()
    if membership is None:
        raise NotFound()
    _check_keeps_a_manager(space, membership)
    membership.delete()
    audit.record("space.member_remove", actor=actor, target=space, member=user.pk)
    _member_removed(space, user.pk)


@transaction.atomic
def star_space(actor: User, *, space: Space, starred: bool) -> SpaceMembership:
    membership = membership_of(actor, space)
    if membership is None:
        raise Conflict(_("Join the space first to star it."))
    membership.starred = starred
    membership.save(update_fields=["starred"])
    return membership


# --- confidentiality labels (README, "Confidentiality"): the organisation's owners define them -----

LABEL_NAME_MAX = 40


def _require_owner(actor: User) -> None:
    if not actor.is_owner:
        raise PermissionDenied(_("Only the organisation's owners can change its confidentiality labels."))


def _clean_label_name(actor: User, name: str, *, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(fields={"name": _("Give the label a name.")})
    if len(name) > LABEL_NAME_MAX:
        raise Invalid(fields={"name": _("Use at most %(n)d characters for the name.") % {"n": LABEL_NAME_MAX}})
    taken = Label.objects.filter(organisation_id=actor.org_id, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise Conflict(_("Another label is already called “%(name)s”.") % {"name": name})
    return name


@transaction.atomic
def create_label(actor: User, *, name: str, restricted: bool = False) -> Label:
    """A new label, ranked above every existing one (labels are added from the least to the most confidential)."""
    _require_owner(actor)
    name = _clean_label_name(actor, name)
    top = Label.objects.filter(organisation_id=actor.org_id).order_by("-rank").first()
    rank = (top.rank + 10) if top is not None else 0
    if rank > 32767:
        raise Conflict(_("This organisation has too many labels already."))
    try:
        with transaction.atomic():
            label = Label.objects.create(organisation_id=actor.org_id, name=name, rank=rank, restricted=restricted)
    except IntegrityError:  # another owner took the same rank or name a moment ago
        raise Conflict(_("Another label was added at the same moment: look at the list and try again.")) from None
    audit.record("label.create", actor=actor, target=label, label=name, restricted=restricted)
    return label


@transaction.atomic
def update_label(actor: User, *, label: Label, name: str | None = None, restricted: bool | None = None) -> Label:
    """Rename a label or change whether it is confidential. The lowest label, which every space without
    one carries, is never confidential; a label cannot become confidential while guests are behind it."""
    _require_owner(actor)
    if label.organisation_id != actor.organisation_id:
        raise NotFound(_("This label does not exist."))
    fields: list[str] = []
    if name is not None:
        name = _clean_label_name(actor, name, exclude=label.pk)
        if name != label.name:
            label.name = name
            fields.append("name")
    if restricted is not None and restricted != label.restricted:
        lowest = labels.lowest_label(actor.organisation_id)
        if restricted and lowest is not None and lowest.pk == label.pk:
            refusal = _("The lowest label applies to every space without one: it cannot be confidential.")
            raise Invalid(fields={"restricted": refusal})
        if restricted:
            exposed = list(labels.spaces_with_guests_using(label)[:20])
            if exposed:
                raise Conflict(
                    _("Guests are members of spaces with this label: %(spaces)s. Remove them first.")
                    % {"spaces": ", ".join(s.name for s in exposed)}
                )
        label.restricted = restricted
        fields.append("restricted")
    if fields:
        label.save(update_fields=fields)
        audit.record("label.update", actor=actor, target=label, label=label.name, fields=fields)
    return label
