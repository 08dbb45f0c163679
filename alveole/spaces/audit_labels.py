"""How the organisation's audit page words the spaces app's own actions (the kernel's are in core.audit)."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "space.label": _("changed the confidentiality label of"),
    "label.create": _("added the confidentiality label"),
    "label.update": _("changed the confidentiality label"),
}
