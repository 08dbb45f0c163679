from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "alveole.conversations"
    label = "conversations"
    verbose_name = "Direct messages"
