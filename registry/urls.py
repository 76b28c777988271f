"""Feeds. The catalogue's own pages are Wagtail pages, served by Wagtail."""

from django.urls import path

from . import feeds

urlpatterns = [
    path("feeds/products/", feeds.NewProductsFeed(), name="feed-products"),
    path("feeds/case-studies/", feeds.NewCaseStudiesFeed(), name="feed-case-studies"),
    path("feeds/categories/<slug:slug>/", feeds.CategoryFeed(), name="feed-category"),
]
