"""The REST API under /api/v1: each domain's router, one auth, one error shape."""

from __future__ import annotations

from ninja import NinjaAPI

from alveole.accounts.api import router as accounts_router
from alveole.decisions.api import router as decisions_router
from alveole.exports.api import router as exports_router
from alveole.feed.api import router as feed_router
from alveole.live.api import router as live_router
from alveole.mail.api import router as mail_router
from alveole.notifications.api import router as notifications_router
from alveole.orgs.api import router as orgs_router
from alveole.projects.api import router as projects_router
from alveole.spaces.api import router as spaces_router

from . import errors
from .auth import BearerToken, Session

api = NinjaAPI(
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
)
errors.install(api)
api.add_router("", accounts_router)
api.add_router("", orgs_router)
api.add_router("", spaces_router)
api.add_router("", feed_router)
api.add_router("", exports_router)
api.add_router("", live_router)
api.add_router("", notifications_router)
api.add_router("", mail_router)
api.add_router("", projects_router)
api.add_router("", decisions_router)
