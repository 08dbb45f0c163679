from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "alveole.insights"
    label = "insights"
    verbose_name = "Insights"
