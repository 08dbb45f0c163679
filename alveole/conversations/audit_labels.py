"""How the organisation's audit page words the direct messages' own actions (never their text)."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "conversation.start": _("started a conversation"),
}
