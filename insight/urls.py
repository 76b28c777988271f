from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:panel>/", views.panel_detail, name="panel"),
    path("<slug:panel>/refresh/", views.refresh, name="refresh"),
    path("<slug:panel>/<slug:section>.csv", views.panel_csv, name="csv"),
]
