from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "alveole.decisions"
    label = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        # Connects the receivers; they import models, so not before the registry is ready.
        from . import receivers  # noqa: F401
