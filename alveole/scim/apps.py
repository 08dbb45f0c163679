from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "alveole.scim"
    label = "scim"
    verbose_name = "SCIM provisioning"
