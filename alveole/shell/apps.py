from django.apps import AppConfig


class ShellConfig(AppConfig):
    """The top floor: the home page, the layout's data, the API and URL maps, the demo and `alveole run`."""

    name = "alveole.shell"
    label = "shell"
    verbose_name = "Alvéole shell"
