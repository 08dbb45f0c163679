from django.urls import path

from . import views

urlpatterns = [
    path("spaces/<int:space_id>/polls/new/", views.poll_create, name="poll_create"),
    path("spaces/<int:space_id>/proposals/new/", views.proposal_create, name="proposal_create"),
    path("spaces/<int:space_id>/decisions/", views.space_decisions, name="space_decisions"),
    path("polls/<int:poll_id>/vote/", views.poll_vote, name="poll_vote"),
    path("polls/<int:poll_id>/close/", views.poll_close, name="poll_close"),
    path("proposals/<int:proposal_id>/respond/", views.proposal_respond, name="proposal_respond"),
    path("proposals/<int:proposal_id>/close/", views.proposal_close, name="proposal_close"),
    path("decisions/", views.key_decisions, name="key_decisions"),
    path("decisions/<int:decision_id>/", views.decision_detail, name="decision"),
]
