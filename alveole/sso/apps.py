from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "alveole.sso"
    label = "sso"
    verbose_name = "Single sign-on"
