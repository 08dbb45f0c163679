"""The ASGI application: one process serves HTTP (and, later, WebSockets)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alveole.settings")

application = get_asgi_application()
