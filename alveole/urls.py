from django.urls import include, path

from alveole.core.health import healthz
from alveole.shell.api import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("alveole.accounts.urls")),
    path("", include("alveole.orgs.urls")),
    path("", include("alveole.spaces.urls")),
    path("", include("alveole.feed.urls")),
    path("", include("alveole.exports.urls")),
    path("", include("alveole.notifications.urls")),
    path("", include("alveole.conversations.urls")),
    path("", include("alveole.mail.urls")),
    path("", include("alveole.decisions.urls")),
    path("", include("alveole.moderation.urls")),
    path("", include("alveole.projects.urls")),
    path("", include("alveole.search.urls")),
    path("", include("alveole.insights.urls")),
    path("", include("alveole.sso.urls")),
    path("", include("alveole.scim.urls")),
    path("", include("alveole.shell.urls")),
]

handler400 = "alveole.shell.errors.bad_request"
handler403 = "alveole.shell.errors.permission_denied"
handler404 = "alveole.shell.errors.page_not_found"
handler500 = "alveole.shell.errors.server_error"
