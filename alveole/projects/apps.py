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
