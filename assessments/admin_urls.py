from django.urls import path

from . import admin_views

app_name = "assessments_admin"

urlpatterns = [
    path("", admin_views.queue, name="queue"),
    path("<int:pk>/", admin_views.review, name="review"),
]
