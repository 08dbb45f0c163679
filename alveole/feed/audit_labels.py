"""How the organisation's audit page words the feed app's own actions (the kernel's are in core.audit)."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "post.label": _("changed the confidentiality label of the post"),
    "file.download": _("downloaded the confidential file"),
    "file.download.denied": _("was refused the download of the confidential file"),
}
