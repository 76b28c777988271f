"""A shared cache of anonymous pages, so that a visitor without a session is served a page
another visitor already caused to be rendered, by whichever gunicorn worker they reach.

Design:

- **Where.** Django's cache framework, `CACHES["default"]`: the database cache table
  (`manage.py createcachetable`, needed before the site starts: Wagtail keeps its site root
  paths in the same cache), which every worker and every server shares with no extra service
  to run. A Redis or Memcached backend can replace it by settings alone.
- **What.** GET and HEAD requests from visitors with no message cookie, no Authorization
  header and no personal session (a signed-in person, or one with a comparison or shortlist
  in progress, always gets a fresh page; a session holding only the searches already logged
  is not personal), to paths not listed in
  `PAGE_CACHE_EXCLUDED_PATHS` (search records what people look for, so it is never cached),
  answered 200 with no `Cache-Control: private` or `no-store`, setting no cookie but the
  CSRF one, and using no CSP nonce.
- **CSRF.** The compare and shortlist buttons post through a form carrying a CSRF token. The
  stored page holds a placeholder in its place, and every visitor served from the cache gets
  a token of their own (and the cookie that goes with it), as if the page had just been
  rendered for them.
- **Invalidation.** Every key carries a version held in the cache itself; publishing,
  unpublishing, moving or deleting a page, and saving or deleting the catalogue's shared rows
  (organisations, categories, care settings, standards, compliance, adoptions) bumps it,
  once the transaction commits, so every cached page is dropped at once.
- **Expiry of standards.** A compliance row whose expiry date has passed shows as expired from
  the next day on. Every key carries today's date in Europe/London and every entry's lifetime
  ends at the next London midnight at the latest, so no cached page shows a lapsed standard
  as met.
- **Cost of a hit.** The middleware sits just after the CSRF middleware, before
  authentication, two-factor, messages and the rest, which an anonymous page from the cache
  does not need. A hit is one query of the cache table: the version and the page stored under
  the version this worker last saw are read together; only when the version has moved (a
  publish) is the page read again under the new one.
- **Fragments.** Signed-in people never get a cached page, but parts of a page that are the
  same for everyone and costly to work out (the home page's content, a product's proof, a
  listing and its count) are kept with `{% catalogue_cache %}`
  (config/templatetags/catalogue_cache.py) or `shared_cache.kept_for_everyone`, under the
  same version, date and lifetime, each read in one query.
"""

import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.middleware.csrf import get_token

from shared_cache import invalidate_on_commit, lifetime, london_today, read_under_version

logger = logging.getLogger(__name__)
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
CSRF_PLACEHOLDER = b"__page_cache_csrf_token__"
# A cookie that means the page may differ for this visitor (the session cookie may: see
# has_personal_session).
MESSAGES_COOKIE = "messages"
CACHED_HEADERS = ("Content-Type", "Content-Language", "Vary", "X-Robots-Tag", "Link")
HIT_HEADER = "X-Page-Cache"


def read_page(request, today):
    """(key, stored page or None) under the current version."""
    return read_under_version(lambda version: page_key(request, version, today))


def page_key(request, version, today):
    url = request.build_absolute_uri()
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"page-cache:{version}:{today.isoformat()}:{digest}"


def is_cacheable_request(request):
    if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
        return False
    if MESSAGES_COOKIE in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    if request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PATHS)):
        return False
    return not has_personal_session(request)


def has_personal_session(request):
    """Whether the visitor's session may change what a page shows. A session that holds only
    keys in `PAGE_CACHE_IMPERSONAL_SESSION_KEYS` does not: a visitor who searched (the
    searches already logged are kept in the session) still gets pages from the cache. Signing
    in, a comparison, a shortlist or a message each put other keys there. Reading the session
    costs one query, only for visitors who carry a session cookie."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    if session is None:
        return True
    try:
        keys = set(session.keys())
    except DatabaseError:
        return True
    return not keys <= set(settings.PAGE_CACHE_IMPERSONAL_SESSION_KEYS)


def is_cacheable_response(response):
    if response.status_code != 200 or response.streaming:
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return False
    return not (set(response.cookies) - {settings.CSRF_COOKIE_NAME})


class AnonymousPageCacheMiddleware:
    """Serves and stores anonymous pages (see the module docstring). Sits after the session
    and CSRF middleware, so a page served from the cache still gets its CSRF cookie, and
    before authentication and anything that renders."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cacheable_request(request):
            return self.get_response(request)
        try:
            key, stored = read_page(request, london_today())
        except DatabaseError as exc:
            # The cache table cannot be read: serve the page as if there were no cache (the
            # view answers 503 if the database itself is down).
            logger.warning("The page cache could not be read: %s", exc)
            return self.get_response(request)
        if stored is not None:
            return self.replay(request, stored)
        response = self.get_response(request)
        if (
            is_cacheable_response(response)
            and not getattr(request, "_csp_nonce", None)  # its nonce is for this response only
            and not request.user.is_authenticated
        ):
            try:
                self.store(key, response)
                response[HIT_HEADER] = "miss"
            except DatabaseError as exc:
                logger.warning("The page cache could not be written: %s", exc)
        return response

    @staticmethod
    def store(key, response):
        content = CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\3", response.content)
        headers = {name: response[name] for name in CACHED_HEADERS if name in response}
        cache.set(key, (content, headers), timeout=lifetime())

    @staticmethod
    def replay(request, stored):
        content, headers = stored
        if CSRF_PLACEHOLDER in content:
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        response[HIT_HEADER] = "hit"
        return response


def connect_invalidation():
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
        signal.connect(invalidate_on_commit, dispatch_uid=f"page-cache:{signal!r}")
    post_delete.connect(_page_deleted, dispatch_uid="page-cache:page-deleted")
    for label in settings.PAGE_CACHE_INVALIDATING_MODELS:
        model = apps.get_model(label)
        post_save.connect(invalidate_on_commit, sender=model, dispatch_uid=f"page-cache:s:{label}")
        post_delete.connect(
            invalidate_on_commit, sender=model, dispatch_uid=f"page-cache:d:{label}"
        )


def _page_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        invalidate_on_commit()
