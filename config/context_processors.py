"""What every page's header needs. It lives with the project configuration because the
header joins the apps: the catalogue's sections, the buyer tools, submissions, search."""

from django.conf import settings
from django.urls import reverse

from buyers.compare import session_ids
from buyers.shortlist import Shortlist


def site_navigation(request):
    """Links in the header of every page. The comparison and shortlist links carry how many
    products each holds (from the session, or one count query for a signed-in buyer)."""
    compare_count = len(session_ids(request.session)) if hasattr(request, "session") else 0
    shortlist_count = len(Shortlist(request)) if hasattr(request, "user") else 0
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    is_member = signed_in and hasattr(user, "membership")
    return {
        "primary_navigation": [
            {"label": "Products", "href": "/products/"},
            {"label": "Case studies", "href": "/case-studies/"},
            {"label": "Guides", "href": "/guides/"},
            {
                "label": f"Compare ({compare_count})" if compare_count else "Compare",
                "href": reverse("compare"),
            },
            {
                "label": f"Shortlist ({shortlist_count})" if shortlist_count else "Shortlist",
                "href": reverse("shortlist"),
            },
            {
                "label": "Your submissions" if is_member else "Submit a product",
                "href": reverse("assessments:dashboard"),
            },
            *(
                [
                    {"label": "Saved searches", "href": reverse("saved-searches")},
                    {"label": "Sign out", "href": reverse("accounts:logout"), "post": True},
                ]
                if signed_in
                else [{"label": "Sign in", "href": reverse("accounts:login")}]
            ),
        ],
        "search_url": reverse("search"),
    }


def demo_site(request):
    """Whether every page says that its data is fictional (the DEMO_SITE setting)."""
    return {"demo_site": settings.DEMO_SITE}
