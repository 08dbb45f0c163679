from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "alveole.orgs"
    label = "orgs"
    verbose_name = "Organisations"
