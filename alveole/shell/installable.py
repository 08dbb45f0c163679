"""The installable app: the web app manifest and the service worker (README, "Install the app / offline").

Both are served by views at fixed addresses at the root: a service worker controls only the pages under
its own path, so /sw.js covers the whole site; the manifest's address is linked from every page. The
icons in static/alveole/icons are drawn for Alvéole (the logo's cell on the page colour).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# What a page needs to show without the network: precached when the service worker installs.
SHELL_GLOBS = ("alveole/*.css", "alveole/*.js", "alveole/*.svg", "alveole/icons/*")
PUSH_SCRIPT = "alveole/sw-push.js"  # Web Push's handlers (notifications), kept in a file of their own
# Colours of the house style (static/alveole/app.css: --bg and --accent).
BACKGROUND = "#f6f5f2"
THEME = "#d98e04"


def shell_files() -> list[str]:
    return sorted({str(p.relative_to(STATIC_DIR)) for pattern in SHELL_GLOBS for p in STATIC_DIR.glob(pattern)})


def _shell_version() -> str:
    """Changes whenever a shell file or the worker itself does: the browser then installs the new worker,
    which replaces the old caches."""
    digest = hashlib.sha256()
    for name in [*shell_files(), PUSH_SCRIPT]:
        path = STATIC_DIR / name
        digest.update(name.encode())
        if path.exists():
            digest.update(path.read_bytes())
    template = Path(__file__).resolve().parent.parent / "templates" / "shell" / "sw.js"
    digest.update(template.read_bytes())
    return digest.hexdigest()[:16]


_cached_version = lru_cache(maxsize=1)(_shell_version)


def shell_version() -> str:
    return _shell_version() if settings.DEBUG else _cached_version()


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    icons = "alveole/icons/"
    data = {
        "name": "Alvéole",
        "short_name": "Alvéole",
        "description": _("Your organisation's feed, spaces, projects and decisions."),
        "lang": request.LANGUAGE_CODE,
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": THEME,
        "icons": [
            {"src": static(icons + "icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static(icons + "icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static(icons + "icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static(icons + "icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
    # In the visitor's language (their profile's, or the browser's).
    response["Cache-Control"] = "private, max-age=3600"
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": shell_version(),
        "shell": json.dumps([static(name) for name in shell_files()]),
        "push_script": json.dumps(static(PUSH_SCRIPT)),
        "offline_page": json.dumps(
            render_to_string("shell/offline.html", {"theme": THEME, "background": BACKGROUND}, request=request)
        ),
    }
    response = HttpResponse(
        render_to_string("shell/sw.js", context, request=request), content_type="text/javascript; charset=utf-8"
    )
    # The browser checks for a new worker on each visit; it must never get a stale one from a cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
