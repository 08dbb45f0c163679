from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "alveole.projects"
    label = "projects"
    verbose_name = "Projects and tasks"
