"""The REST API under /api/v1: each domain's router, one auth, one error shape."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from alveole.accounts.api import router as accounts_router
from alveole.api import errors
from alveole.api.auth import BearerToken, Session
from alveole.api.parser import CheckedParser
from alveole.conversations.api import router as conversations_router
from alveole.decisions.api import router as decisions_router
from alveole.exports.api import router as exports_router
from alveole.feed.api import router as feed_router
from alveole.insights.api import router as insights_router
from alveole.mail.api import router as mail_router
from alveole.moderation.api import router as moderation_router
from alveole.notifications.api import router as notifications_router
from alveole.orgs.api import router as orgs_router
from alveole.projects.api import router as projects_router
from alveole.realtime.api import router as live_router
from alveole.scim.api import router as scim_router
from alveole.search.api import router as search_router
from alveole.spaces.api import router as spaces_router
from alveole.sso.api import router as sso_router


class AlveoleAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The generated document, plus the one error shape every 4xx answer has (see errors.py)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = errors.ErrorOut.model_json_schema()
        error = {
            "description": "The request was refused: `message` says why, `fields` what to fix.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for path in schema["paths"].values():
            for operation in path.values():
                # Status keys as JSON has them: ninja's are ints, and "4XX" would not sort beside them.
                operation["responses"] = {str(k): v for k, v in operation["responses"].items()}
                operation["responses"].setdefault("4XX", error)
        return schema


api = AlveoleAPI(
    title="Alvéole API",
    version="1",
    description=(
        "Authenticate with a personal access token (`Authorization: Bearer alv_…`, created under "
        "Profile → Access tokens or with `alveole token create`) or with the browser session plus "
        "the X-CSRFToken header. Errors always have the shape `{code, message, fields}`; lists are "
        "paginated with an opaque `next_cursor`."
    ),
    auth=[BearerToken(), Session()],
    urls_namespace="api",
    docs_url="/docs",
    parser=CheckedParser(),
)
errors.install(api)
api.add_router("", accounts_router)
api.add_router("", orgs_router)
api.add_router("", spaces_router)
api.add_router("", feed_router)
api.add_router("", exports_router)
api.add_router("", live_router)
api.add_router("", notifications_router)
api.add_router("", conversations_router)
api.add_router("", mail_router)
api.add_router("", projects_router)
api.add_router("", decisions_router)
api.add_router("", moderation_router)
api.add_router("", search_router)
api.add_router("", insights_router)
api.add_router("", sso_router)
api.add_router("", scim_router)
