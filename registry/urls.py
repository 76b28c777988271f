"""Organisation pages and feeds. The catalogue's own pages are Wagtail pages, served by
Wagtail."""

from django.urls import path

from . import feeds, organisation_views

urlpatterns = [
    path("organisations/<int:pk>/", organisation_views.organisation_page, name="organisation"),
    path("feeds/products/", feeds.NewProductsFeed(), name="feed-products"),
    path("feeds/case-studies/", feeds.NewCaseStudiesFeed(), name="feed-case-studies"),
    path("feeds/categories/<slug:slug>/", feeds.CategoryFeed(), name="feed-category"),
]
