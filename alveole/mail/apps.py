from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "alveole.mail"
    label = "mail"
    verbose_name = "Email bridge"
