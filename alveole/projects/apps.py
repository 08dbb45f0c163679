from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "alveole.projects"
    label = "projects"
    verbose_name = "Projects and tasks"

    def ready(self) -> None:
        # Due-date reminders run on the shared schedule (alveole.core.periodic).
        from alveole.core import periodic

        entry = ("alveole.projects.jobs.send_task_reminders", 300)
        if entry not in periodic.SCHEDULE:
            periodic.SCHEDULE.append(entry)

        # How the organisation's audit page words our actions.
        from django.utils.translation import gettext_lazy as _

        from alveole.core.audit import ACTION_LABELS

        for action, label in (
            ("task.create", _("created a task")),
            ("task.update", _("edited a task")),
            ("task.delete", _("deleted a task")),
            ("project.plan", _("changed a project's plan")),
            ("project.milestone_create", _("added a milestone")),
            ("project.milestone_delete", _("removed a milestone")),
            ("calendar.rotate", _("made a new calendar address")),
            ("calendar.revoke", _("turned off their calendar address")),
        ):
            ACTION_LABELS.setdefault(action, label)
