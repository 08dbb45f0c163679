from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "alveole.feed"
    label = "feed"
    verbose_name = "Feed"
