"""How the organisation's audit page words the email bridge's actions."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "space.email_address_on": _("turned on the email address of the space"),
    "space.email_address_off": _("turned off the email address of the space"),
    "space.email_content": _("changed what the space accepts by email"),
}
