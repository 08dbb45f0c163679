"""Confidentiality labels: the organisation's defaults, and the one rule for what a label means.

A space or post without a label carries its organisation's lowest one (Internal unless renamed),
so rows written before labels existed, and tests that create spaces directly, stay valid.

The rule, written once here (README, "Confidentiality"):

- A space's label is its own, or the organisation's lowest. A post's label is the higher-ranked of
  its space's and its own: a post may raise its space's label, never lower it.
- Content is *restricted* when its space's label or its own is. Restricted content never reaches a
  guest: a guest cannot be added to a space whose label is restricted or that holds a restricted
  post, a space with guests cannot be given a restricted label (nor can a post in it) — the action
  refuses and names the guests, so a manager removes them explicitly —, and a label with guests
  behind it cannot become restricted. It never goes into an email body or a calendar feed (a link
  only), is never shared out of its space, and its files are downloaded under the downloader's name
  and the time, audited, or not at all when the organisation says so (image previews still show in
  the page: they are seen, not downloaded).

The functions read `space.label` / `post.label` (select_related them for pages: `FEED_JOINS`), so a
page of cards needs no query per card; `restricted_posts` is the same rule as a filter. The actions
store no label (None) for the organisation's lowest one and for a post's label equal to its space's, so
a label that is not None is one worth showing: cards show a badge only then.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.accounts.models import Role, User
from alveole.core.errors import Conflict, Invalid, NotFound

from .models import Label, Space, SpaceMembership


class Post(Protocol):
    """What the rule reads of a feed post (feed sits above spaces: it is not imported)."""

    label_id: int | None
    label: Label | None
    space_id: int | None
    space: Space | None


# Created for every new organisation; owners rename them and add more.
DEFAULT_LABELS = (
    (gettext_lazy("Internal"), 0, False),
    (gettext_lazy("Confidential"), 10, True),
)

# What emails and calendar feeds say instead of restricted content.
CONFIDENTIAL_PLACEHOLDER = gettext_lazy("Confidential content — open Alvéole to read it")

# The joins a page of posts needs so that `post_label` / `is_restricted` cost no query.
FEED_JOINS = ("label", "space__label")


def create_default_labels(organisation_id: int) -> None:
    """Give an organisation its first labels, once (a second call changes nothing)."""
    if Label.objects.filter(organisation_id=organisation_id).exists():
        return
    Label.objects.bulk_create(
        Label(organisation_id=organisation_id, name=str(name), rank=rank, restricted=restricted)
        for name, rank, restricted in DEFAULT_LABELS
    )


def on_organisation_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # Connected by model label in SpacesConfig.ready: spaces sits below orgs and never imports it.
    if created and not raw:
        create_default_labels(instance.pk)


# --- reading labels ----------------------------------------------------------------------------


def labels_of(organisation_id: int) -> list[Label]:
    """The organisation's labels, lowest first."""
    return list(Label.objects.filter(organisation_id=organisation_id).order_by("rank", "id"))


def lowest_label(organisation_id: int) -> Label | None:
    return Label.objects.filter(organisation_id=organisation_id).order_by("rank", "id").first()


def get_label_for(viewer: User, label_id: int | str | None) -> Label:
    """A label of the viewer's organisation, or NotFound (the same for another organisation's)."""
    try:
        return Label.objects.get(organisation_id=viewer.org_id, pk=int(label_id))  # type: ignore[arg-type]
    except (Label.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("This label does not exist.")) from None


def space_label(space: Space | None) -> Label | None:
    """The label a space carries when it chose one; None stands for the organisation's lowest."""
    if space is None or space.label_id is None:
        return None
    return space.label


def higher(a: Label | None, b: Label | None) -> Label | None:
    """The higher-ranked of two labels (None: the lowest)."""
    if a is None:
        return b
    if b is None:
        return a
    return b if b.rank > a.rank else a


def post_label(post: Post) -> Label | None:
    """A post's effective label: the higher of its space's and its own (None: the lowest)."""
    own = post.label if post.label_id is not None else None
    return higher(space_label(post.space) if post.space_id is not None else None, own)


def is_restricted(item: Space | Post | None) -> bool:
    """Whether a space's or a post's content is confidential (restricted): its label or its space's is."""
    if item is None:
        return False
    if isinstance(item, Space):
        label = space_label(item)
        return label is not None and label.restricted
    own = item.label if item.label_id is not None else None
    if own is not None and own.restricted:
        return True
    return item.space_id is not None and is_restricted(item.space)


def restricted_posts(prefix: str = "") -> Q:
    """The rule as a filter on posts (`prefix` leads from the filtered model to its post, "post__")."""
    return Q(**{f"{prefix}label__restricted": True}) | Q(**{f"{prefix}space__label__restricted": True})


# --- guests ------------------------------------------------------------------------------------


def guests_of(space: Space) -> list[User]:
    """The guests who are members of `space`, by name."""
    return list(User.objects.filter(role=Role.GUEST, space_memberships__space=space).order_by("full_name", "pk"))


def holds_restricted_content(space: Space) -> bool:
    """The space is restricted, or one of its posts is."""
    if is_restricted(space):
        return True
    return space.posts.filter(label__restricted=True, deleted_at__isnull=True).exists()


def confidential_spaces_of(user: User) -> list[Space]:
    """The spaces `user` belongs to that hold confidential content (holds_restricted_content, in one query)."""
    restricted = Q(label__restricted=True) | Q(posts__label__restricted=True, posts__deleted_at__isnull=True)
    return list(Space.objects.filter(restricted, memberships__user=user).distinct().order_by("name", "pk"))


def check_guest_may_join(space: Space) -> None:
    """Refuse adding a guest to a space holding confidential content."""
    if holds_restricted_content(space):
        raise Conflict(_("This space holds confidential content: guests cannot be added to it."))


def guests_sentence(guests: list[User]) -> str:
    names = ", ".join(g.full_name for g in guests)
    return _(
        "Confidential content never reaches guests, and this space has guests: %(names)s. "
        "Remove them from the space first, then choose this label again."
    ) % {"names": names}


def check_no_guests(space: Space) -> None:
    """Refuse restricting a space that has guests, naming them (a manager removes them explicitly)."""
    guests = guests_of(space)
    if guests:
        raise Conflict(guests_sentence(guests))


def check_space_label(space: Space | None, label: Label, *, organisation_id: int) -> None:
    """A post's label: of its organisation, at least its space's, and restricted only without guests."""
    if label.organisation_id != organisation_id:
        raise NotFound(_("This label does not exist."))
    floor = space_label(space)
    if floor is not None and label.rank < floor.rank:
        raise Invalid(
            fields={"label_id": _("A post may raise its space's label (%(label)s), never lower it.") % {"label": floor}}
        )
    if label.restricted and space is not None and not is_restricted(space):
        check_no_guests(space)


def post_label_choices(space: Space | None, labels: list[Label]) -> list[Label]:
    """The labels a post in `space` may carry: its space's and higher."""
    floor = space_label(space)
    return [label for label in labels if floor is None or label.rank >= floor.rank]


def spaces_with_guests_using(label: Label) -> QuerySet[Space]:
    """Spaces carrying `label` (or holding a post that does) that have guests: what restricting it would hurt."""
    guests = Exists(SpaceMembership.objects.filter(space=OuterRef("pk"), user__role=Role.GUEST))
    uses = Q(label=label) | Q(posts__label=label, posts__deleted_at__isnull=True)
    return Space.objects.filter(uses, guests, organisation_id=label.organisation_id).distinct().order_by("name")


def clean_post_label(actor: User, space: Space | None, label: Label | None) -> Label | None:
    """The label to store on a new or relabelled post: None when it adds nothing to its space's."""
    if label is None:
        return None
    check_space_label(space, label, organisation_id=actor.org_id)
    floor = space_label(space)
    if floor is not None and floor.pk == label.pk:
        return None
    if floor is None:
        lowest = lowest_label(actor.org_id)
        if lowest is not None and lowest.pk == label.pk:
            return None
    return label
