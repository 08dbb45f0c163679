from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "alveole.spaces"
    label = "spaces"
    verbose_name = "Spaces"
