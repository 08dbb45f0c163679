from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "alveole.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Connects the receivers; they import models, so not before the registry is ready.
        from . import receivers  # noqa: F401
