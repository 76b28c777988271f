from django.urls import path

from . import views
from .v1 import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("open-data/", views.open_data, name="open-data"),
    path("open-data/files/<str:name>", views.open_data_file, name="open-data-file"),
]
