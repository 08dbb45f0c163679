"""The ASGI application: one process serves HTTP (Django) and WebSockets (/ws, Alvéole's live hub)."""

from __future__ import annotations

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alveole.settings")

django_application = get_asgi_application()

from alveole.realtime.ws import websocket_endpoint  # noqa: E402  (needs Django set up)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "websocket":
        if scope.get("path") == "/ws":
            await websocket_endpoint(scope, receive, send)
        else:
            await receive()
            await send({"type": "websocket.close", "code": 4404})
        return
    await django_application(scope, receive, send)
