"""Response headers the whole site shares: the Content-Security-Policy (one for the public
site, a looser one for the CMS), Permissions-Policy, and `Cache-Control: no-store` on every
page that is personal."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import DatabaseError
from django.utils.cache import add_never_cache_headers


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with `CONTENT_SECURITY_POLICY_ADMIN` for the Wagtail and Django
    admin: Wagtail's admin relies on inline scripts and styles that carry no nonce, so the
    strict public policy would break it."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        admin_policy = settings.CONTENT_SECURITY_POLICY_ADMIN
        if not report_only and parts.config is None and is_admin_path(request.path_info):
            parts.config = admin_policy["DIRECTIVES"]
        return parts


def is_admin_path(path):
    return path.startswith(tuple(settings.CONTENT_SECURITY_POLICY_ADMIN["URL_PREFIXES"]))


class ResponseHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: no-store` (and `private`) on
    whatever a signed-in person sees, on the pages under `PRIVATE_PATH_PREFIXES` (sign-in,
    registration, submissions, comparison and shortlist, alerts, the admin) and on any
    response that sets a session cookie, so no browser or proxy keeps a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if is_private(request, response):
            add_never_cache_headers(response)
        return response


def is_private(request, response):
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                return True
        except DatabaseError:  # the database is down: the 503 page is no one's to keep
            return True
    if request.path_info.startswith(tuple(settings.PRIVATE_PATH_PREFIXES)):
        return True
    return settings.SESSION_COOKIE_NAME in response.cookies
