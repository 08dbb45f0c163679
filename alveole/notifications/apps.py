from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "alveole.notifications"
    label = "notifications"
    verbose_name = "Notifications"
