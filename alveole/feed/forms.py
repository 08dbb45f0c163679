"""Forms of the feed's web pages: they parse input; the actions decide what is allowed."""

from __future__ import annotations

from uuid import uuid4

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PostKind
from .selectors import FILTERS

FOLLOWERS = ""  # the "space" choice that means "on my profile, for my followers"


class _AnyInts(forms.Field):
    """A list of integer ids from repeated fields; anything else is a clear field error."""

    def to_python(self, value: object) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list) else [value]
        try:
            return [int(str(v)) for v in values if str(v).strip()]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("The attached files could not be read; upload them again.")) from None


class PostForm(forms.Form):
    space = forms.TypedChoiceField(label=_("Post to"), coerce=str, required=False, empty_value=FOLLOWERS)
    kind = forms.ChoiceField(label=_("Kind of post"), choices=PostKind.choices, initial=PostKind.UPDATE)
    body = forms.CharField(
        label=_("Message"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-autocomplete": ""}),
        help_text=_(
            "Markdown works if you like it: **bold**, _italic_, lists, links. @name tells someone, #topic files it."
        ),
    )
    attachment_ids = _AnyInts(required=False, widget=forms.MultipleHiddenInput)
    # Raises the space's confidentiality label for this post (spaces.labels); empty: the space's.
    label = forms.TypedChoiceField(label=_("Confidentiality"), coerce=int, required=False, empty_value=None)
    # Rendered fresh with each composer: the same form sent twice (double click, retry, offline outbox)
    # makes one post. The JS layer puts a new one in after each post.
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: object,
        spaces: list | None = None,
        followers: bool = True,
        labels: list | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [(str(s.pk), s.name) for s in spaces or []]
        if followers:
            choices.append((FOLLOWERS, str(_("My followers (on my profile)"))))
        self.fields["space"].choices = choices  # type: ignore[attr-defined]
        label_choices: list[tuple[object, object]] = [("", _("The space's label"))]
        label_choices += [(label.pk, label.name) for label in labels or []]
        self.fields["label"].choices = label_choices  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid4())


class EditForm(forms.Form):
    body = forms.CharField(label=_("Message"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 5}))


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "data-autocomplete": ""}),
    )
    parent_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReactForm(forms.Form):
    kind = forms.CharField(strip=True)  # one emoji, or a former kind's name: checked by actions.react


class PinForm(forms.Form):
    pinned = forms.BooleanField(required=False)


class AnswerForm(forms.Form):
    is_answer = forms.BooleanField(required=False)


class FollowForm(forms.Form):
    following = forms.BooleanField(required=False)


class ShareForm(forms.Form):
    space = forms.TypedChoiceField(label=_("Share to"), coerce=str, required=False, empty_value=FOLLOWERS)
    body = forms.CharField(
        label=_("Add a comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, spaces: list | None = None, followers: bool = True, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "share_%s")  # the page has a composer with its own ids
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [(str(s.pk), s.name) for s in spaces or []]
        if followers:
            choices.append((FOLLOWERS, str(_("My followers (on my profile)"))))
        self.fields["space"].choices = choices  # type: ignore[attr-defined]


class FilterForm(forms.Form):
    filter = forms.ChoiceField(choices=[(f, f) for f in FILTERS], required=False)
