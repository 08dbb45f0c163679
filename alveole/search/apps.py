from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "alveole.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Connects the receivers; they import models, so not before the registry is ready.
        from . import receivers  # noqa: F401
