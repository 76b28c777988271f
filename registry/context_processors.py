from django.urls import reverse


def site_navigation(request):
    """Links in the header of every page, resolved without hitting the database."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "primary_navigation": [
            {"label": "Products", "href": "/products/"},
            {"label": "Case studies", "href": "/case-studies/"},
            {"label": "Guides", "href": "/guides/"},
            {"label": "Submit a product", "href": reverse("assessments:dashboard")},
            *([] if signed_in else [{"label": "Sign in", "href": reverse("accounts:login")}]),
        ],
        "search_url": reverse("search"),
    }
