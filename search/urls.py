from django.urls import path

from . import views
from .api import api

urlpatterns = [
    path("search/", views.search, name="search"),
    path("api/v1/", api.urls),
]
