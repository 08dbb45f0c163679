from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "alveole.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        # Connects the receivers; they import models, so not before the registry is ready.
        from . import receivers  # noqa: F401
