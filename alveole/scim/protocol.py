"""The SCIM endpoint at /scim/v2/…: a thin transport around scim2-server.

It reads the Bearer token (never a session or a cookie), binds a storage to the token's organisation,
lets scim2-server's handler answer, and writes its response."""

from __future__ import annotations

import json
import logging
from functools import cache
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from scim2_models import (
    PayloadTooLargeException,
    SCIMException,
    ScimProvider,
    ServiceProviderConfig,
    UnauthorizedException,
)
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.routing import Operation
from scim2_server.service import ScimService
from scim2_server.utils import load_default_resource_types, load_default_schemas, load_json_resource

from .actions import authenticate_scim_token
from .storage import OrgScimStorage

PREFIX = "/scim/v2"
log = logging.getLogger("alveole.scim")


@cache
def service() -> ScimService:
    """What the server announces: RFC 7643's User (with the enterprise extension) and Group; PATCH,
    filters and sorting on; bulk and password changes off (Alvéole stores no provisioned password)."""
    config = load_json_resource("default-service-provider-config.json")
    config["bulk"] = {"supported": False, "maxOperations": 0, "maxPayloadSize": 0}
    config["changePassword"] = {"supported": False}
    config["filter"] = {"supported": True, "maxResults": settings.ALVEOLE_SCIM_MAX_RESULTS}
    config["pagination"] = {
        "index": True,
        "cursor": False,
        "defaultPaginationMethod": "index",
        "defaultPageSize": settings.ALVEOLE_SCIM_PAGE_SIZE,
        "maxPageSize": settings.ALVEOLE_SCIM_MAX_RESULTS,
    }
    config["authenticationSchemes"] = [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A provisioning token an owner creates in Admin → Settings → Provisioning (SCIM).",
            "primary": True,
        }
    ]
    provider = ScimProvider.from_discovery(
        load_default_schemas().values(),
        load_default_resource_types().values(),
        config=ServiceProviderConfig.model_validate(config),
    )
    return ScimService(provider)


def _bearer(request: HttpRequest) -> str:
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _answer(scim: ScimService, scim_request: ScimRequest, request: HttpRequest) -> ScimResponse:
    try:
        operation = scim.match(scim_request).operation
    except SCIMException:
        operation = None
    token = authenticate_scim_token(_bearer(request))
    if token is None and operation is not Operation.service_provider_config:
        raise UnauthorizedException(detail="Send a valid provisioning token: Authorization: Bearer scim_…")
    if token is None:
        # The service provider configuration is public (RFC 7643 §5); it touches no storage.
        return scim.service_provider_config(scim_request.url, scim_request.query)
    return ScimHandler(scim, OrgScimStorage(token, scim)).handle(scim_request)


@csrf_exempt
def scim_endpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    scim = service()
    scim_request = ScimRequest(
        method=request.method or "GET",
        base_url=request.build_absolute_uri(PREFIX),
        path=(path or "").removesuffix(".scim"),
        query={key: request.GET[key] for key in request.GET},
        headers=dict(request.headers.items()),
    )
    try:
        try:
            scim_request.body = request.body
        except RequestDataTooBig:
            raise PayloadTooLargeException(detail="The request body is too large.") from None
        response = _answer(scim, scim_request, request)
    except SCIMException as exc:
        response = scim.error_response(exc)
    except Exception:
        log.exception("SCIM request failed: %s %s", request.method, request.path)
        response = scim.error_response(RuntimeError())
    response.headers.setdefault("Location", scim_request.url)
    response.headers.setdefault("Cache-Control", "no-cache")
    body = b"" if response.body is None else json.dumps(response.body).encode()
    answer = HttpResponse(body, status=response.status.value, content_type=response.headers.pop("Content-Type"))
    if response.status == HTTPStatus.NO_CONTENT:
        answer.content = b""
    for name, value in response.headers.items():
        answer[name] = value
    return answer
