"""How the organisation's audit page words the exports app's own actions (the kernel's are in core.audit)."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "export.request.denied": _("was refused an export of"),
    "export.personal": _("exported their own direct messages"),
    "export.conversations": _("exported the direct messages of"),
}
