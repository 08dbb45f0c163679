from django.urls import path

from . import views

urlpatterns = [
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("tasks/<int:task_id>/status/", views.task_status, name="task_status"),
    path("tasks/<int:task_id>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:task_id>/checklist/", views.checklist_add, name="task_checklist_add"),
    path("checklist/<int:item_id>/", views.checklist_item, name="task_checklist_item"),
    path("tasks/<int:task_id>/comments/", views.task_comment, name="task_comment"),
    path("spaces/<int:space_id>/tasks/", views.space_tasks, name="space_tasks"),
    path("spaces/<int:space_id>/board/", views.space_board, name="space_board"),
    path("spaces/<int:space_id>/board/columns/", views.board_column_add, name="board_column_add"),
    path("board-columns/<int:column_id>/", views.board_column, name="board_column"),
    path("tasks/<int:task_id>/move/", views.task_move, name="task_move"),
    path("spaces/<int:space_id>/plan/", views.space_plan, name="space_plan"),
    path("spaces/<int:space_id>/timeline.svg", views.space_timeline, name="space_timeline"),
    path("spaces/<int:space_id>/milestones/", views.milestone_add, name="milestone_add"),
    path("milestones/<int:milestone_id>/", views.milestone_item, name="milestone_item"),
    path("posts/<int:post_id>/task/", views.task_from_post, name="post_make_task"),
    path("decisions/<int:decision_id>/task/", views.task_from_decision, name="decision_make_task"),
    path("calendar/rotate/", views.calendar_rotate, name="calendar_rotate"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
