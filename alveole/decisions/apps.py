from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "alveole.decisions"
    label = "decisions"
    verbose_name = "Decisions"
