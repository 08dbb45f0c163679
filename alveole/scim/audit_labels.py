"""How the organisation's audit page words provisioning's own actions (the kernel's are in core.audit)."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "scim.token.create": _("created a provisioning token"),
    "scim.token.revoke": _("revoked a provisioning token"),
    "member.update": _("updated the profile of"),
}
