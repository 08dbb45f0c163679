from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .bounds import bad_text, bad_text_message, find_bad_text
from .context import client_ip_of, set_client_ip

# No inline scripts anywhere: every script is a file under /static/.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The API explorer (a packaged Swagger UI) sets styles inline; it has no user content.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = DOCS_CONTENT_SECURITY_POLICY if request.path.startswith("/api/v1/docs") else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class RequestContextMiddleware:
    """Makes the client IP available to actions (for the audit log)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        set_client_ip(client_ip_of(request))
        return self.get_response(request)


class RefuseUnstorableTextMiddleware:
    """A 400 with a sentence for text no database can store, before any form or query sees it.

    Django already turns broken UTF-8 in addresses and forms into U+FFFD, but keeps NUL,
    which PostgreSQL refuses (a 500 there, silently stored on SQLite). The API checks its
    JSON bodies, queries and forms in its parser (alveole.api.parser); here only its address.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith("/api/")
        where = "path" if bad_text(request.path) else None
        if where is None and not is_api:
            where = find_bad_text({**_lists(request.GET), **_lists(request.POST)})
        if where is None:
            return self.get_response(request)
        message = bad_text_message()
        if is_api:
            return JsonResponse({"code": "invalid", "message": message, "fields": {where: message}}, status=400)
        return render(request, "errors/400.html", {"message": message, "status": 400}, status=400)


def _lists(data: object) -> dict[str, list[str]]:
    return dict(data.lists())  # type: ignore[attr-defined]
