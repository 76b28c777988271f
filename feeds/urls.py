from django.urls import path

from . import atom

urlpatterns = [
    path("feeds/products/", atom.NewProductsFeed(), name="feed-products"),
    path("feeds/case-studies/", atom.NewCaseStudiesFeed(), name="feed-case-studies"),
    path("feeds/categories/<slug:slug>/", atom.CategoryFeed(), name="feed-category"),
]
