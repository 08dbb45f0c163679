"""How the organisation's audit page words the moderation app's actions."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "report.create": _("reported a post or comment"),
    "report.dismiss": _("dismissed a report"),
    "report.hide": _("hid a reported post or comment"),
    "report.unhide": _("showed again a hidden post or comment"),
    "report.delete": _("deleted a reported post or comment"),
    "review.approve": _("published a post or comment that waited for validation"),
    "review.refuse": _("refused a post or comment that waited for validation"),
    "space.moderation": _("changed how a space is moderated"),
}
