"""How the organisation's audit page words single sign-on's actions."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "sso.create": _("set up single sign-on with"),
    "sso.update": _("changed the single sign-on settings of"),
    "sso.remove": _("removed single sign-on with"),
}
