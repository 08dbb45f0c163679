from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "alveole.projects"
    label = "projects"
    verbose_name = "Projects and tasks"

    def ready(self) -> None:
        # Connects the receivers; they import models, so not before the registry is ready.
        from . import receivers  # noqa: F401
