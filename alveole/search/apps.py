from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "alveole.search"
    label = "search"
    verbose_name = "Search"
