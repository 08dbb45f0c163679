from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "alveole.core"
    label = "core"
    verbose_name = "Alvéole core"
