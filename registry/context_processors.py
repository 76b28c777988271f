from django.urls import reverse


def site_navigation(request):
    """Links in the header of every page, resolved without hitting the database."""
    return {
        "primary_navigation": [
            {"label": "Products", "href": "/products/"},
            {"label": "Case studies", "href": "/case-studies/"},
            {"label": "Guides", "href": "/guides/"},
        ],
        "search_url": reverse("search"),
    }
