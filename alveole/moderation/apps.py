from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "alveole.moderation"
    label = "moderation"
    verbose_name = "Moderation"
