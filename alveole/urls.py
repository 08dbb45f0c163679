from django.urls import include, path

from alveole.api.api import api
from alveole.core.health import healthz

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
    path("", include("alveole.mail.urls")),
    path("", include("alveole.decisions.urls")),
    path("", include("alveole.projects.urls")),
    path("", include("alveole.core.urls")),
]

handler400 = "alveole.core.views.bad_request"
handler403 = "alveole.core.views.permission_denied"
handler404 = "alveole.core.views.page_not_found"
handler500 = "alveole.core.views.server_error"
