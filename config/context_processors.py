"""What every page's header needs. It lives with the project configuration because the
header joins the apps: the catalogue's sections, the buyer tools, submissions, search."""

from django.conf import settings
from django.urls import reverse

from accounts.models import membership_of
from buyers.compare import session_ids
from buyers.shortlist import Shortlist
from registry.choices import OrganisationKind


def site_navigation(request):
    """Links in the header of every page. The comparison and shortlist links carry how many
    products each holds (from the session, or one count query for a signed-in buyer).

    Signed-in people get the NHS.UK header's account area: who they are, their account, their
    submissions (for members of a supplier), their saved searches and sign out; everyone
    else gets a sign-in link there."""
    compare_count = len(session_ids(request.session)) if hasattr(request, "session") else 0
    shortlist_count = len(Shortlist(request)) if hasattr(request, "user") else 0
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    membership = membership_of(user) if signed_in else None
    supplier_member = bool(
        membership
        and membership.organisation
        and membership.organisation.kind == OrganisationKind.SUPPLIER
    )
    primary = [
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
    ]
    if not supplier_member:
        primary.append({"label": "Submit a product", "href": reverse("assessments:dashboard")})
    if signed_in:
        account = {
            "name": user.get_full_name() or user.email or user.get_username(),
            "links": [
                {"label": "Your account", "href": reverse("accounts:account")},
                *(
                    [{"label": "Your submissions", "href": reverse("assessments:dashboard")}]
                    if supplier_member
                    else []
                ),
                {"label": "Saved searches", "href": reverse("saved-searches")},
            ],
            "sign_out": reverse("accounts:logout"),
        }
    else:
        account = {"links": [{"label": "Sign in", "href": reverse("accounts:login")}]}
    return {
        "primary_navigation": primary,
        "account_navigation": account,
        # Not "search_url": Wagtail's admin header reads that name as a URL pattern to
        # reverse, and every admin page (the workflow's confirm dialog too) sees this context.
        "site_search_url": reverse("search"),
    }


def demo_site(request):
    """Whether every page says that its data is fictional (the DEMO_SITE setting)."""
    return {"demo_site": settings.DEMO_SITE}
