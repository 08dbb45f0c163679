"""How the organisation's audit page words the decisions app's actions."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "poll.create": _("asked a poll"),
    "proposal.create": _("made a proposal"),
    "decision.record": _("recorded a decision"),
    "decision.outcome": _("wrote the outcome of a decision"),
}
