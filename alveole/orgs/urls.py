from django.urls import path

from . import guest_invites, label_views, views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("admin/", views.org_admin, name="org_admin"),
    path("admin/members/<int:user_id>/role/", views.org_member_role, name="org_member_role"),
    path("admin/members/<int:user_id>/deactivate/", views.org_member_deactivate, name="org_member_deactivate"),
    path("admin/members/<int:user_id>/reactivate/", views.org_member_reactivate, name="org_member_reactivate"),
    path("admin/invitations/", views.org_invitations, name="org_invitations"),
    path("admin/invitations/<int:invitation_id>/revoke/", views.org_invitation_revoke, name="org_invitation_revoke"),
    path("admin/invitations/<int:invitation_id>/resend/", views.org_invitation_resend, name="org_invitation_resend"),
    path("admin/audit/", views.org_audit, name="org_audit"),
    path("admin/audit.csv", views.org_audit_download, {"fmt": "csv"}, name="org_audit_csv"),
    path("admin/audit.json", views.org_audit_download, {"fmt": "json"}, name="org_audit_json"),
    path("admin/settings/", views.org_settings, name="org_settings"),
    path("admin/settings/labels/", label_views.org_labels, name="org_labels"),
    path("admin/settings/labels/<int:label_id>/", label_views.org_label_update, name="org_label_update"),
    path("invite/<str:key>/", views.invitation_accept, name="invitation_accept"),
    path("spaces/<int:space_id>/guests/invite/", guest_invites.space_guest_invite, name="space_guest_invite"),
    path(
        "spaces/<int:space_id>/guests/invitations/<int:invitation_id>/revoke/",
        guest_invites.space_guest_invitation_revoke,
        name="space_guest_invitation_revoke",
    ),
]
