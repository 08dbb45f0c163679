"""How the organisation's audit page words the orgs app's own actions (the kernel's are in core.audit)."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "invitation.resend": _("sent the invitation again to"),
    "invitation.guest.denied": _("was refused a guest invitation to"),
    "member.role.denied": _("was refused a role change for"),
    "member.deactivate.denied": _("was refused the deactivation of"),
    "org.conversation_export": _("changed whether exports include direct messages"),
    "org.conversation_export.denied": _("was refused a change to whether exports include direct messages"),
}
