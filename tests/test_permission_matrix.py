"""Who may see what, for every view: a permission matrix generated from the URL
configuration (issue 12).

`registry_urls()` walks the resolver and keeps every URL this project serves: views in the
project's own packages, the Wagtail admin screens its hooks register, the snippet screens
of its own models, the page server and the admin sign-in it wraps. Each must have a rule in
RULES (URL name -> how to build its path -> the status each role gets for a GET) and one in
POST_RULES (what each role gets for a POST), so a view added without both rules, or a rule
left for a view that is gone, fails the suite. Wagtail's
and Django's own admin screens are outside the matrix: Wagtail's permission checks guard
them, and the admin's two-factor gate is tested in tests/accounts/test_two_factor.py.

Roles: anonymous; a buyer whose NHS membership is unconfirmed or confirmed; an innovator
whose membership of the supplier is unconfirmed or confirmed; a confirmed member of another
supplier; an assessor; an editor; a superuser.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tokens import make_invitation_token
from api.models import ApiKey
from assessments import services
from assessments.models import Framework, Standard, Upload
from buyers.alerts import unsubscribe_token
from buyers.models import AdoptionClaim, FrozenShortlist, SavedSearch
from search.models import LayTerm

from .assessments.factories import AssessorFactory, InnovatorFactory, SubmissionFactory
from .assessments.helpers import pdf
from .registry.factories import AdoptionFactory, OrganisationFactory, ProductFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "buyer_unconfirmed",
    "buyer_confirmed",
    "innovator_unconfirmed",
    "innovator_confirmed",
    "other_organisation",
    "assessor",
    "editor",
    "superuser",
)
SIGNED_IN = ROLES[1:]
OUR_PACKAGES = {
    "accounts",
    "api",
    "assessments",
    "bad_input",
    "buyers",
    "config",
    "demo",
    "feeds",
    "insight",
    "interchange",
    "proof",
    "registry",
    "search",
}
OUR_NAMESPACES = {"accounts", "accounts_admin", "api", "assessments", "assessments_admin"}
WRAPPED = {"wagtail_serve", "wagtailadmin_login"}


def _module(callback):
    view_class = getattr(callback, "view_class", None)
    module = (view_class or callback).__module__ if hasattr(callback, "__module__") else ""
    return getattr(view_class, "__module__", module) or ""


def _is_ours(name, callback):
    namespace = name.rpartition(":")[0] if name and ":" in name else ""
    root_namespace = namespace.split(":")[0]
    if root_namespace in OUR_NAMESPACES or name in WRAPPED:
        return True
    if root_namespace.startswith("wagtailsnippets_"):
        return root_namespace.split("_")[1] in OUR_PACKAGES
    if root_namespace.endswith("_reports") and _module(callback).split(".")[0] in OUR_PACKAGES:
        return True
    return _module(callback).split(".")[0] in OUR_PACKAGES


def registry_urls():
    """{url name: route} for every URL the project serves (unnamed ones by their route)."""
    found = {}

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name
                full = f"{namespace}:{name}" if namespace and name else name
                if _is_ours(full, pattern.callback):
                    found.setdefault(full or f"<unnamed {route}>", route)

    walk(get_resolver().url_patterns, "/", "")
    return found


# --- The world every rule is checked in ----------------------------------------------------


@pytest.fixture(scope="module")
def world(module_transaction):
    """Made once for the module: each role's test reads it, and what a request writes is
    rolled back after the test."""
    supplier_member = InnovatorFactory()
    supplier = supplier_member.membership.organisation
    trust = OrganisationFactory(name="Leeds Teaching Hospitals")
    buyer_confirmed = InnovatorFactory(organisation=trust)
    editor = User.objects.create_user("editor", "editor@nhs.net", "x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    assessor = AssessorFactory()
    assessor.is_staff = True
    assessor.save()
    submission = SubmissionFactory(organisation=supplier, status="submitted", reference="R-1")
    criterion = next(
        item.criterion
        for section in services.load_state(submission)
        for item in section.criteria
        if item.criterion.question_type == "file"
    )
    upload = Upload(
        submission=submission,
        criterion=criterion,
        original_name="evidence.pdf",
        content_type="application/pdf",
        size=10,
    )
    upload.file.save("evidence.pdf", pdf(), save=True)
    product = ProductFactory(title="WardWatch")
    adoption = AdoptionFactory(product=product, contact_email="lead@leedsth.nhs.uk")
    saved = SavedSearch.objects.create(
        user=buyer_confirmed, name="Wound care", query_string="q=wound"
    )
    record = FrozenShortlist.objects.create(title="Business case", created_by=buyer_confirmed)
    claim = AdoptionClaim.objects.create(
        product=product, organisation=trust, claimed_by=buyer_confirmed, since="2024-01-01"
    )
    api_key = ApiKey(name="Leeds intranet", contact_email="web@leedsth.nhs.uk")
    api_key.issue()
    api_key.save()
    users = {
        "anonymous": None,
        "buyer_unconfirmed": InnovatorFactory(organisation=trust, confirmed=False),
        "buyer_confirmed": buyer_confirmed,
        "innovator_unconfirmed": InnovatorFactory(organisation=supplier, confirmed=False),
        "innovator_confirmed": supplier_member,
        "other_organisation": InnovatorFactory(),
        "assessor": assessor,
        "editor": editor,
        "superuser": User.objects.create_superuser("root", "root@nhs.net", "x"),
    }
    return {
        "users": users,
        "submission": submission,
        "criterion": criterion,
        "upload": upload,
        "product": product,
        "adoption": adoption,
        "saved": saved,
        "record": record,
        "claim": claim,
        "trust": trust,
        "supplier": supplier,
        "api_key": api_key,
        "pending": users["innovator_unconfirmed"].membership,
        "invitation": make_invitation_token(supplier, "new@example.com", supplier_member),
    }


# --- Rules -----------------------------------------------------------------------------------


def everyone(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status=200, **overrides):
    return {"anonymous": 302, **dict.fromkeys(SIGNED_IN, status), **overrides}


def _uid(user):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(user.pk))


def _submission(suffix=""):
    return lambda w: f"/submissions/{w['submission'].pk}/{suffix}"


PATHS = {
    "accounts:account": "/account/",
    "accounts:password_change": "/account/password/",
    "accounts:password_change_done": "/account/password/changed/",
    "accounts:register": "/account/register/",
    "register-buyer": "/account/register/buyer/",
    "accounts:verify": lambda w: f"/account/verify/{_uid(w['users']['buyer_confirmed'])}/x-y/",
    "accounts:invite": "/account/invite/",
    "accounts:decide_membership": lambda w: f"/account/members/{w['pending'].pk}/",
    "accounts:accept_invitation": lambda w: f"/account/invitation/{w['invitation']}/",
    "accounts:two_factor": "/account/two-factor/",
    "accounts:two_factor_recovery_codes": "/account/two-factor/recovery-codes/",
    "accounts:login": "/account/sign-in/",
    "accounts:logout": "/account/sign-out/",
    "accounts:password_reset": "/account/password-reset/",
    "accounts:password_reset_done": "/account/password-reset/sent/",
    "accounts:password_reset_confirm": lambda w: (
        f"/account/password-reset/{_uid(w['users']['buyer_confirmed'])}/x-y/"
    ),
    "accounts:password_reset_complete": "/account/password-reset/done/",
    "assessments:dashboard": "/submissions/",
    "assessments:start": "/submissions/start/",
    "assessments:task_list": _submission(),
    "assessments:about": _submission("about/"),
    "assessments:question": lambda w: (
        f"/submissions/{w['submission'].pk}/questions/{w['criterion'].code}/"
    ),
    "assessments:check_answers": _submission("check-your-answers/"),
    "assessments:confirmation": _submission("confirmation/"),
    "assessments:download": lambda w: (
        f"/submissions/{w['submission'].pk}/files/{w['upload'].pk}/"
    ),
    "assessments_admin:queue": "/admin/assessments/",
    "assessments_admin:review": lambda w: f"/admin/assessments/{w['submission'].pk}/",
    "accounts_admin:pending": "/admin/memberships/",
    "accounts_admin:decide": lambda w: f"/admin/memberships/{w['pending'].pk}/",
    "search_reports:index": "/admin/reports/search-terms/",
    "search_reports:results": "/admin/reports/search-terms/results/",
    "search": "/search/?q=ward",
    "saved-searches": "/alerts/",
    "saved-search-create": "/alerts/save/?q=ward",
    "saved-search-delete": lambda w: f"/alerts/{w['saved'].pk}/delete/",
    "alerts-unsubscribe": lambda w: f"/alerts/unsubscribe/{unsubscribe_token(w['saved'])}/",
    "api:search": "/api/v1/search?q=ward",
    "api:api-root": "/api/v1/",
    "api:openapi-json": "/api/v1/openapi.json",
    "api:openapi-view": "/api/v1/docs",
    "api:autocomplete": "/api/v1/autocomplete?q=war",
    "api:products": "/api/v1/products",
    "api:product": lambda w: f"/api/v1/products/{w['product'].pk}",
    "api:organisations": "/api/v1/organisations",
    "api:organisation": lambda w: f"/api/v1/organisations/{w['trust'].pk}",
    "api:standards": "/api/v1/standards",
    "api:standard": lambda w: f"/api/v1/standards/{Standard.objects.order_by('pk').first().pk}",
    "api:category_list": "/api/v1/categories",
    "api:category": lambda w: f"/api/v1/categories/{w['product'].category.pk}",
    "api:care_setting_list": "/api/v1/care-settings",
    "api:care_setting": lambda w: f"/api/v1/care-settings/{w['product'].care_settings.first().pk}",
    "api:case_studies": "/api/v1/case-studies",
    "api:case_study": "/api/v1/case-studies/999999",  # none in this world: 404 for everyone
    "api:guides": "/api/v1/guides",
    "api:guide": "/api/v1/guides/999999",
    "api:changes": "/api/v1/changes",
    "api:adoption_statistics": "/api/v1/statistics/adoption",
    "api:formularies": "/api/v1/formularies",
    "api:formulary": "/api/v1/formularies/999999",
    "open-data": "/open-data/",
    "open-data-file": "/open-data/files/registry-open-data-1999-01-01.zip",
    "organisation": lambda w: f"/organisations/{w['trust'].pk}/",
    "insight:dashboard": "/admin/insight/",
    "insight:panel": "/admin/insight/spread/",
    "insight:refresh": "/admin/insight/spread/refresh/",
    "insight:csv": "/admin/insight/spread/over-time.csv",
    "proof_report:index": "/admin/reports/proof-consistency/",
    "proof_report:results": "/admin/reports/proof-consistency/results/",
    "proof_rules": "/admin/proof-rules/",
    "compare": lambda w: f"/compare/?products={w['product'].slug}",
    "compare-add": "/compare/add/",
    "compare-remove": "/compare/remove/",
    "compare-clear": "/compare/clear/",
    "shortlist": "/shortlist/",
    "shortlist-add": "/shortlist/add/",
    "shortlist-remove": "/shortlist/remove/",
    "shortlist-clear": "/shortlist/clear/",
    "shortlist-csv": "/shortlist/export.csv",
    "shortlist-freeze": "/shortlist/records/",
    "frozen-shortlist": lambda w: f"/shortlist/records/{w['record'].pk}/",
    "claim-adoption": lambda w: f"/adoptions/claim/{w['product'].pk}/",
    "contact-adopter": lambda w: f"/adoptions/{w['adoption'].pk}/contact/",
    "feed-products": "/feeds/products/",
    "feed-case-studies": "/feeds/case-studies/",
    "feed-category": lambda w: f"/feeds/categories/{w['product'].category.slug}/",
    "health": "/health/",
    "wagtail_serve": lambda w: w["product"].url,
    "wagtailadmin_login": "/admin/login/",
}

SNIPPET_OBJECTS = {
    "registry_organisation": lambda w: w["trust"].pk,
    "registry_category": lambda w: w["product"].category.pk,
    "registry_caresetting": lambda w: w["product"].care_settings.first().pk,
    "buyers_adoptionclaim": lambda w: w["claim"].pk,
    "accounts_membership": lambda w: w["pending"].pk,
    "assessments_standard": lambda w: Standard.objects.order_by("pk").first().pk,
    "assessments_framework": lambda w: Framework.current().pk,
    "api_apikey": lambda w: w["api_key"].pk,
    "registry_search_layterm": lambda w: LayTerm.objects.order_by("pk").first().pk,
}
SNIPPET_ACTIONS = {
    "list": "",
    "list_results": "results/",
    "add": "add/",
    "edit": "edit/{pk}/",
    "delete": "delete/{pk}/",
    "usage": "usage/{pk}/",
    "history": "history/{pk}/",
    "history_results": "history-results/{pk}/",
    "copy": "copy/{pk}/",
}
for _model, _pk in SNIPPET_OBJECTS.items():
    for _action, _suffix in SNIPPET_ACTIONS.items():
        PATHS[f"wagtailsnippets_{_model}:{_action}"] = (
            lambda w, name=f"wagtailsnippets_{_model}:{_action}", s=_suffix, pk=_pk: reverse(
                name, args=[pk(w)] if "{pk}" in s else []
            )
        )


# --- Who gets what ---------------------------------------------------------------------------
# Shorthand: the roles in ROLES order, as a string of statuses.


def by_role(*statuses):
    assert len(statuses) == len(ROLES)
    return dict(zip(ROLES, statuses, strict=True))


PUBLIC = everyone(200)
POST_ONLY = everyone(405)  # GET is refused; what a POST may do is tested beside the view
SIGNED_IN_POST_ONLY = signed_in(405)
# Wagtail admin: people without admin access are sent to its sign-in; people with admin
# access but without the permission are sent to the dashboard with a message. Both are 302.
ADMIN_ASSESSORS = by_role(302, 302, 302, 302, 302, 302, 200, 302, 200)
ADMIN_EDITORS = by_role(302, 302, 302, 302, 302, 302, 302, 200, 200)
ADMIN_VIEWERS = by_role(302, 302, 302, 302, 302, 302, 200, 200, 200)  # assessors may look
ADMIN_SUPERUSER = by_role(302, 302, 302, 302, 302, 302, 302, 302, 200)
ADMIN_NOBODY = everyone(302)
# Submissions: only a confirmed member of the supplier; other ids are 404.
SUBMISSION = by_role(302, 404, 404, 404, 200, 404, 404, 404, 404)
SUBMISSION_FILE = by_role(302, 404, 404, 404, 200, 404, 200, 404, 200)  # and assessors
SUPPLIER_HOME = by_role(302, 403, 403, 403, 200, 200, 403, 403, 403)  # 403 says why

RULES = {
    # Accounts: open forms, links that carry their own authority, and the members' pages.
    "accounts:account": signed_in(200),
    "accounts:password_change": signed_in(200),
    "accounts:password_change_done": signed_in(200),
    "accounts:register": PUBLIC,
    "register-buyer": PUBLIC,
    "accounts:accept_invitation": PUBLIC,
    "accounts:verify": everyone(400),  # a forged link, for everyone
    "accounts:login": PUBLIC,
    "accounts:logout": POST_ONLY,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,  # a forged link: the "link not valid" page
    "accounts:password_reset_complete": PUBLIC,
    "accounts:invite": by_role(302, 403, 200, 403, 200, 200, 403, 403, 403),
    "accounts:decide_membership": SIGNED_IN_POST_ONLY,
    "accounts:two_factor": signed_in(200),
    "accounts:two_factor_recovery_codes": signed_in(302),  # only after giving a code
    "accounts_admin:pending": ADMIN_EDITORS,
    "accounts_admin:decide": by_role(302, 302, 302, 302, 302, 302, 405, 405, 405),
    # Submissions
    "assessments:dashboard": SUPPLIER_HOME,
    "assessments:start": SUPPLIER_HOME,
    "assessments:task_list": SUBMISSION,
    "assessments:about": by_role(302, 404, 404, 404, 302, 404, 404, 404, 404),  # sent
    "assessments:question": by_role(302, 404, 404, 404, 302, 404, 404, 404, 404),  # sent
    "assessments:check_answers": SUBMISSION,
    "assessments:confirmation": SUBMISSION,
    "assessments:download": SUBMISSION_FILE,
    "assessments_admin:queue": ADMIN_ASSESSORS,
    "assessments_admin:review": ADMIN_ASSESSORS,
    "search_reports:index": ADMIN_VIEWERS,
    "search_reports:results": ADMIN_VIEWERS,
    # The catalogue, search and the API: open to everyone
    "wagtail_serve": PUBLIC,
    "search": PUBLIC,
    "api:api-root": everyone(404),  # django-ninja names the prefix; nothing is served there
    "api:search": PUBLIC,
    "api:autocomplete": PUBLIC,
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    # The open API reads public data only: the same for everyone. Unknown ids are 404.
    **dict.fromkeys(
        [
            "api:products",
            "api:product",
            "api:organisations",
            "api:organisation",
            "api:standards",
            "api:standard",
            "api:category_list",
            "api:category",
            "api:care_setting_list",
            "api:care_setting",
            "api:case_studies",
            "api:guides",
            "api:changes",
            "api:adoption_statistics",
            "api:formularies",
        ],
        PUBLIC,
    ),
    "api:case_study": everyone(404),
    "api:formulary": everyone(404),
    "api:guide": everyone(404),
    "open-data": PUBLIC,
    "open-data-file": everyone(404),  # no such file
    "organisation": PUBLIC,
    # The scaling team's insight and the proof report: assessors and editors.
    "insight:dashboard": ADMIN_VIEWERS,
    "insight:panel": ADMIN_VIEWERS,
    "insight:csv": ADMIN_VIEWERS,
    "insight:refresh": by_role(302, 302, 302, 302, 302, 302, 405, 405, 405),  # POST only
    "proof_report:index": ADMIN_VIEWERS,
    "proof_report:results": ADMIN_VIEWERS,
    "proof_rules": ADMIN_VIEWERS,
    "feed-products": PUBLIC,
    "feed-case-studies": PUBLIC,
    "feed-category": PUBLIC,
    "health": PUBLIC,
    "wagtailadmin_login": by_role(200, 200, 200, 200, 200, 200, 302, 302, 302),
    # Buyer tools
    "compare": PUBLIC,
    "compare-add": POST_ONLY,
    "compare-remove": POST_ONLY,
    "compare-clear": POST_ONLY,
    "shortlist": PUBLIC,
    "shortlist-add": POST_ONLY,
    "shortlist-remove": POST_ONLY,
    "shortlist-clear": POST_ONLY,
    "shortlist-csv": PUBLIC,
    "shortlist-freeze": POST_ONLY,
    "frozen-shortlist": PUBLIC,  # an unguessable address, shared for audit
    "saved-searches": signed_in(200),
    "saved-search-create": SIGNED_IN_POST_ONLY,
    "saved-search-delete": SIGNED_IN_POST_ONLY,
    "alerts-unsubscribe": PUBLIC,  # the signed token is the authority
    "claim-adoption": by_role(302, 403, 200, 403, 403, 403, 403, 403, 403),
    "contact-adopter": signed_in(200),
}
# Snippets of the registry's own models, by who may change them.
SNIPPET_RULES = {
    "registry_organisation": "catalogue",
    "registry_category": "catalogue",
    "registry_caresetting": "catalogue",
    "assessments_standard": "catalogue",
    "accounts_membership": "editors",
    "buyers_adoptionclaim": "editors",
    "assessments_framework": "superuser",
}
_SNIPPET_POLICIES = {
    # Editors change the catalogue; assessors may list it, not change it.
    "catalogue": lambda action: ADMIN_VIEWERS
    if action in ("list", "list_results")
    else ADMIN_EDITORS,
    # Editors decide claims and memberships; only a superuser adds, copies or deletes them.
    "editors": lambda action: ADMIN_SUPERUSER
    if action in ("add", "copy", "delete")
    else ADMIN_EDITORS,
    "superuser": lambda action: ADMIN_SUPERUSER,
}
for _model, _policy in SNIPPET_RULES.items():
    for _action in SNIPPET_ACTIONS:
        RULES[f"wagtailsnippets_{_model}:{_action}"] = _SNIPPET_POLICIES[_policy](_action)
# Claims come from adopters on the public site, never from the admin.
RULES["wagtailsnippets_buyers_adoptionclaim:add"] = ADMIN_NOBODY


def test_every_url_the_registry_serves_has_a_rule():
    served = set(registry_urls())
    assert sorted(served - set(RULES)) == [], "views without a rule in RULES"
    assert sorted(set(RULES) - served) == [], "rules for views that no longer exist"
    assert set(RULES) <= set(PATHS)


def test_every_rule_covers_every_role():
    for name, expect in RULES.items():
        assert set(expect) == set(ROLES), name


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    wrong = []
    for name in sorted(registry_urls()):
        path = PATHS[name]
        response = client.get(path(world) if callable(path) else path)
        if response.status_code != RULES[name][role]:
            wrong.append(f"{name}: {response.status_code}, expected {RULES[name][role]}")
    assert wrong == []


# API keys and lay terms: the superuser only until a group is given the permissions.
for _model in ("api_apikey", "registry_search_layterm"):
    for _action in SNIPPET_ACTIONS:
        RULES[f"wagtailsnippets_{_model}:{_action}"] = ADMIN_SUPERUSER


# --- POST: the unsafe method -----------------------------------------------------------------
# Each view gets an empty POST (the CSRF check is left to its own tests), by each role, in a
# savepoint rolled back afterwards so that one role's POST (a deletion, a sign-out) cannot
# change what the next request finds. What the outcomes mean:
#   405            the view takes GET only
#   SIGN_IN        sent to a sign-in page (the site's or the admin's): nothing done
#   ADMIN_HOME     admin access without this permission: sent to the admin home, nothing done
#   403, 404, 400  refused (404: not theirs to know of)
#   200            the form again with its errors (an empty POST), or a page that reads only
#   302            the view acted, or refused with a message, and sent the person on
SIGN_IN = "sign-in"
ADMIN_HOME = "admin-home"
S, H = SIGN_IN, ADMIN_HOME


def post_outcome(response):
    if response.status_code != 302:
        return response.status_code
    where = response["Location"]
    if where.startswith(("/admin/login/", "/account/sign-in/")):
        return SIGN_IN
    if where == "/admin/":
        return ADMIN_HOME
    return 302


ADMIN_POST_NOBODY = by_role(S, S, S, S, S, S, H, H, H)
POST_RULES = {
    # Open forms: shown again with what is missing.
    **dict.fromkeys(
        [
            "accounts:register",
            "register-buyer",
            "accounts:login",
            "accounts:password_reset",
            "accounts:password_reset_confirm",  # a forged link: the "link not valid" page
            "accounts:accept_invitation",
            "alerts-unsubscribe",  # the signed token is the authority
            "wagtailadmin_login",
        ],
        everyone(200),
    ),
    "accounts:verify": everyone(400),
    "accounts:logout": everyone(302),
    # Pages that read only and do not refuse a POST: the same page as a GET.
    **dict.fromkeys(
        [
            "wagtail_serve",
            "search",
            "organisation",
            "feed-products",
            "feed-case-studies",
            "feed-category",
            "api:openapi-json",
            "api:openapi-view",
        ],
        everyone(200),
    ),
    # GET only.
    **dict.fromkeys(
        [
            "accounts:password_reset_done",
            "accounts:password_reset_complete",
            "compare",
            "shortlist",
            "shortlist-csv",
            "frozen-shortlist",
            "open-data",
            "open-data-file",
            "health",
            *(
                name
                for name in RULES
                if name.startswith("api:")
                and name not in ("api:api-root", "api:openapi-json", "api:openapi-view")
            ),
        ],
        everyone(405),
    ),
    "api:api-root": everyone(404),
    # Open to everyone: the session's comparison and shortlist (anonymous too).
    **dict.fromkeys(
        [
            "compare-add",
            "compare-remove",
            "compare-clear",
            "shortlist-add",
            "shortlist-remove",
            "shortlist-clear",
            "shortlist-freeze",
        ],
        everyone(302),
    ),
    # Signed in.
    "accounts:two_factor": signed_in(200, anonymous=S),
    "accounts:two_factor_recovery_codes": signed_in(302, anonymous=S),  # after a code only
    "saved-searches": signed_in(200, anonymous=S),
    "accounts:account": signed_in(200, anonymous=S),  # reads only
    "accounts:password_change": signed_in(200, anonymous=S),  # the form with its errors
    "accounts:password_change_done": signed_in(405, anonymous=S),
    "saved-search-create": signed_in(302, anonymous=S),
    "saved-search-delete": by_role(S, 404, 302, 404, 404, 404, 404, 404, 404),  # the owner
    "contact-adopter": signed_in(200, anonymous=S),
    "claim-adoption": by_role(S, 403, 200, 403, 403, 403, 403, 403, 403),
    "accounts:invite": by_role(S, 403, 200, 403, 200, 200, 403, 403, 403),
    "accounts:decide_membership": by_role(S, 404, 404, 404, 302, 404, 404, 404, 404),
    # Submissions: a confirmed member of the supplier; files also for assessors.
    "assessments:dashboard": by_role(S, 403, 403, 403, 200, 200, 403, 403, 403),
    "assessments:start": by_role(S, 403, 403, 403, 200, 200, 403, 403, 403),
    "assessments:task_list": by_role(S, 404, 404, 404, 200, 404, 404, 404, 404),
    "assessments:question": by_role(S, 404, 404, 404, 302, 404, 404, 404, 404),  # sent
    "assessments:check_answers": by_role(S, 404, 404, 404, 302, 404, 404, 404, 404),
    "assessments:about": by_role(S, 404, 404, 404, 302, 404, 404, 404, 404),  # sent
    "assessments:confirmation": by_role(S, 404, 404, 404, 200, 404, 404, 404, 404),
    "assessments:download": by_role(S, 404, 404, 404, 200, 404, 200, 404, 200),
    # The scaling team's screens in the admin.
    "assessments_admin:queue": by_role(S, S, S, S, S, S, 200, H, 200),
    "assessments_admin:review": by_role(S, S, S, S, S, S, 302, H, 302),
    "accounts_admin:pending": by_role(S, S, S, S, S, S, H, 200, 200),
    "accounts_admin:decide": by_role(S, S, S, S, S, S, H, 302, 302),
    "insight:dashboard": by_role(S, S, S, S, S, S, 200, 200, 200),
    "insight:panel": by_role(S, S, S, S, S, S, 200, 200, 200),
    "insight:csv": by_role(S, S, S, S, S, S, 200, 200, 200),
    "insight:refresh": by_role(S, S, S, S, S, S, 302, 302, 302),
    **dict.fromkeys(
        [
            "proof_report:index",
            "proof_report:results",
            "proof_rules",
            "search_reports:index",
            "search_reports:results",
        ],
        by_role(S, S, S, S, S, S, 405, 405, 405),
    ),
}
# Snippets: who may post to each screen (add, copy and edit show the form again with its
# errors; delete deletes, or refuses with a message what rows still rest on).
_SNIPPET_POST_POLICIES = {
    "catalogue": {
        "list": by_role(S, S, S, S, S, S, 405, 405, 405),
        "change": by_role(S, S, S, S, S, S, H, 200, 200),
        "delete": by_role(S, S, S, S, S, S, H, 302, 302),
        "read": by_role(S, S, S, S, S, S, H, 405, 405),
    },
    "editors": {
        "list": by_role(S, S, S, S, S, S, H, 405, 405),
        "change": by_role(S, S, S, S, S, S, H, 200, 200),
        "create": by_role(S, S, S, S, S, S, H, H, 200),
        "delete": by_role(S, S, S, S, S, S, H, H, 302),
        "read": by_role(S, S, S, S, S, S, H, 405, 405),
    },
    "superuser": {
        "list": by_role(S, S, S, S, S, S, H, H, 405),
        "change": by_role(S, S, S, S, S, S, H, H, 200),
        "delete": by_role(S, S, S, S, S, S, H, H, 302),
        "read": by_role(S, S, S, S, S, S, H, H, 405),
    },
}
_SNIPPET_ACTION_KIND = {
    "list": "list",
    "list_results": "list",
    "add": "create",
    "copy": "create",
    "edit": "change",
    "delete": "delete",
    "usage": "read",
    "history": "read",
    "history_results": "read",
}
for _model, _policy in {
    **SNIPPET_RULES,
    "api_apikey": "superuser",
    "registry_search_layterm": "superuser",
}.items():
    _rules = _SNIPPET_POST_POLICIES[_policy]
    for _action, _kind in _SNIPPET_ACTION_KIND.items():
        POST_RULES[f"wagtailsnippets_{_model}:{_action}"] = _rules.get(_kind, _rules["change"])
# Claims come from adopters on the public site, never from the admin.
POST_RULES["wagtailsnippets_buyers_adoptionclaim:add"] = ADMIN_POST_NOBODY
# In use in this world (the product's category, the trust that adopted it): Wagtail's own
# check refuses, for everyone.
for _model in ("registry_category", "registry_organisation"):
    POST_RULES[f"wagtailsnippets_{_model}:delete"] = ADMIN_POST_NOBODY


def test_every_url_the_registry_serves_has_a_rule_for_post():
    served = set(registry_urls())
    assert sorted(served - set(POST_RULES)) == [], "views without a rule in POST_RULES"
    assert sorted(set(POST_RULES) - served) == [], "POST rules for views that no longer exist"
    for name, expect in POST_RULES.items():
        assert set(expect) == set(ROLES), name


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says_for_a_post(client, world, role):
    user = world["users"][role]
    session_key = None
    if user is not None:
        client.force_login(user)
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    wrong = []
    for name in sorted(registry_urls()):
        if session_key:  # a sign-out in the previous POST was rolled back, not its cookie
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        path = PATHS[name]
        with transaction.atomic():
            outcome = post_outcome(client.post(path(world) if callable(path) else path))
            transaction.set_rollback(True)
        if outcome != POST_RULES[name][role]:
            wrong.append(f"{name}: {outcome}, expected {POST_RULES[name][role]}")
    assert wrong == []
