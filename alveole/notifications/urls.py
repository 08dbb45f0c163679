from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path(
        "notifications/settings/spaces/<int:space_id>/",
        views.notification_space_mute,
        name="notification_space_mute",
    ),
    path("notifications/settings/push/", views.notification_push_kinds, name="notification_push_kinds"),
    path(
        "notifications/settings/push/devices/<int:subscription_id>/remove/",
        views.notification_push_device_remove,
        name="notification_push_device_remove",
    ),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("catch-up/", views.catch_up, name="catch_up"),
    path("catch-up/done/", views.catch_up_done, name="catch_up_done"),
]
