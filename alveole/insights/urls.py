from django.urls import path

from . import views

urlpatterns = [
    path("insights/", views.index, name="insights"),
    path("insights/charts/<slug:name>.svg", views.chart, name="insights_chart"),
    path("insights/<slug:name>.csv", views.download, name="insights_csv"),
]
