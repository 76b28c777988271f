from django.urls import path

from . import admin_views

app_name = "accounts_admin"

urlpatterns = [
    path("", admin_views.pending, name="pending"),
    path("<int:pk>/", admin_views.decide, name="decide"),
]
