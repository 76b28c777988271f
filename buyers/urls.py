"""The buyer tools' addresses. They are the same as before the tools had their own app."""

from django.urls import path

from . import alert_views, views

urlpatterns = [
    path("account/register/buyer/", views.register_buyer, name="register-buyer"),
    path("compare/", views.compare_page, name="compare"),
    path("compare/add/", views.compare_add, name="compare-add"),
    path("compare/remove/", views.compare_remove, name="compare-remove"),
    path("compare/clear/", views.compare_clear, name="compare-clear"),
    path("shortlist/", views.shortlist_page, name="shortlist"),
    path("shortlist/add/", views.shortlist_add, name="shortlist-add"),
    path("shortlist/remove/", views.shortlist_remove, name="shortlist-remove"),
    path("shortlist/clear/", views.shortlist_clear, name="shortlist-clear"),
    path("shortlist/export.csv", views.shortlist_csv, name="shortlist-csv"),
    path("shortlist/records/", views.shortlist_freeze, name="shortlist-freeze"),
    path(
        "shortlist/records/<uuid:record_id>/",
        views.frozen_shortlist,
        name="frozen-shortlist",
    ),
    path("adoptions/claim/<int:product_id>/", views.claim_adoption, name="claim-adoption"),
    path(
        "adoptions/<int:adoption_id>/contact/",
        views.contact_adopter,
        name="contact-adopter",
    ),
    path("alerts/", alert_views.saved_searches, name="saved-searches"),
    path("alerts/save/", alert_views.save, name="saved-search-create"),
    path("alerts/<int:pk>/delete/", alert_views.delete, name="saved-search-delete"),
    path(
        "alerts/unsubscribe/<str:token>/",
        alert_views.unsubscribe_page,
        name="alerts-unsubscribe",
    ),
]
