"""Buyer tools and feeds. The catalogue's own pages are Wagtail pages, served by Wagtail."""

from django.urls import path

from formularies import views as formulary_views

from . import buyer_views, feeds, organisation_views

urlpatterns = [
    path(
        "organisations/<int:pk>/",
        organisation_views.organisation_page,
        name="organisation",
    ),
    path("organisations/<int:pk>/formulary/", formulary_views.formulary_page, name="formulary"),
    path(
        "organisations/<int:pk>/formulary.json",
        formulary_views.formulary_json,
        name="formulary-json",
    ),
    path(
        "organisations/<int:pk>/formulary/embed/",
        formulary_views.formulary_embed,
        name="formulary-embed",
    ),
    path(
        "organisations/<int:pk>/formulary/edit/",
        formulary_views.formulary_edit,
        name="formulary-edit",
    ),
    path("compare/", buyer_views.compare_page, name="compare"),
    path("compare/add/", buyer_views.compare_add, name="compare-add"),
    path("compare/remove/", buyer_views.compare_remove, name="compare-remove"),
    path("compare/clear/", buyer_views.compare_clear, name="compare-clear"),
    path("shortlist/", buyer_views.shortlist_page, name="shortlist"),
    path("shortlist/add/", buyer_views.shortlist_add, name="shortlist-add"),
    path("shortlist/remove/", buyer_views.shortlist_remove, name="shortlist-remove"),
    path("shortlist/clear/", buyer_views.shortlist_clear, name="shortlist-clear"),
    path("shortlist/export.csv", buyer_views.shortlist_csv, name="shortlist-csv"),
    path("shortlist/records/", buyer_views.shortlist_freeze, name="shortlist-freeze"),
    path(
        "shortlist/records/<uuid:record_id>/",
        buyer_views.frozen_shortlist,
        name="frozen-shortlist",
    ),
    path(
        "adoptions/claim/<int:product_id>/",
        buyer_views.claim_adoption,
        name="claim-adoption",
    ),
    path(
        "adoptions/<int:adoption_id>/contact/",
        buyer_views.contact_adopter,
        name="contact-adopter",
    ),
    path("feeds/products/", feeds.NewProductsFeed(), name="feed-products"),
    path("feeds/case-studies/", feeds.NewCaseStudiesFeed(), name="feed-case-studies"),
    path("feeds/categories/<slug:slug>/", feeds.CategoryFeed(), name="feed-category"),
]
