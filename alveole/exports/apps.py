from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "alveole.exports"
    label = "exports"
    verbose_name = "Exports"
