from django.urls import path

from . import views

urlpatterns = [
    path("organisations/<int:pk>/formulary/", views.formulary_page, name="formulary"),
    path("organisations/<int:pk>/formulary.json", views.formulary_json, name="formulary-json"),
    path("organisations/<int:pk>/formulary/embed/", views.formulary_embed, name="formulary-embed"),
    path("organisations/<int:pk>/formulary/edit/", views.formulary_edit, name="formulary-edit"),
]
