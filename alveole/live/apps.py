from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "alveole.live"
    label = "live"
    verbose_name = "Live updates"
