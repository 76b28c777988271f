"""Organisation pages. The catalogue's own pages are Wagtail pages, served by Wagtail; its
feeds are in feeds/."""

from django.urls import path

from . import organisation_views

urlpatterns = [
    path("organisations/<int:pk>/", organisation_views.organisation_page, name="organisation"),
]
