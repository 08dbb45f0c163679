"""How the organisation's audit page words the projects app's actions."""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "task.create": _("created a task"),
    "task.update": _("edited a task"),
    "task.delete": _("deleted a task"),
    "task.move": _("moved a task on the board"),
    "board.column_create": _("added a board column"),
    "board.column_update": _("changed a board column"),
    "board.column_delete": _("removed a board column"),
    "project.plan": _("changed a project's plan"),
    "project.milestone_create": _("added a milestone"),
    "project.milestone_delete": _("removed a milestone"),
    "calendar.rotate": _("made a new calendar address"),
    "calendar.revoke": _("turned off their calendar address"),
}
