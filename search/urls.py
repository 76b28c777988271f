from django.urls import path

from . import alert_views, views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("alerts/", alert_views.saved_searches, name="saved-searches"),
    path("alerts/save/", alert_views.save, name="saved-search-create"),
    path("alerts/<int:pk>/delete/", alert_views.delete, name="saved-search-delete"),
    path(
        "alerts/unsubscribe/<str:token>/",
        alert_views.unsubscribe_page,
        name="alerts-unsubscribe",
    ),
]
