"""The buyer tools' addresses. They are the same as before the tools had their own app."""

from django.urls import include, path

from . import alert_views, views


def _list_urls(name, page, add, remove, clear):
    """The comparison and the shortlist: a page and the buttons that add to it, remove from
    it and empty it, at NAME/, NAME/add/, NAME/remove/ and NAME/clear/."""
    return [
        path(f"{name}/", page, name=name),
        *(
            path(f"{name}/{action}/", view, name=f"{name}-{action}")
            for action, view in (("add", add), ("remove", remove), ("clear", clear))
        ),
    ]


shortlist_record_urls = [
    path("export.csv", views.shortlist_csv, name="shortlist-csv"),
    path("records/", views.shortlist_freeze, name="shortlist-freeze"),
    path("records/<uuid:record_id>/", views.frozen_shortlist, name="frozen-shortlist"),
]

adoption_urls = [
    path("claim/<int:product_id>/", views.claim_adoption, name="claim-adoption"),
    path("<int:adoption_id>/contact/", views.contact_adopter, name="contact-adopter"),
]

alert_urls = [
    path("", alert_views.saved_searches, name="saved-searches"),
    path("save/", alert_views.save, name="saved-search-create"),
    path("<int:pk>/delete/", alert_views.delete, name="saved-search-delete"),
    path("unsubscribe/<str:token>/", alert_views.unsubscribe_page, name="alerts-unsubscribe"),
]

urlpatterns = [
    path("account/register/buyer/", views.register_buyer, name="register-buyer"),
    *_list_urls(
        "compare", views.compare_page, views.compare_add, views.compare_remove, views.compare_clear
    ),
    *_list_urls(
        "shortlist",
        views.shortlist_page,
        views.shortlist_add,
        views.shortlist_remove,
        views.shortlist_clear,
    ),
    path("shortlist/", include(shortlist_record_urls)),
    path("adoptions/", include(adoption_urls)),
    path("alerts/", include(alert_urls)),
]
