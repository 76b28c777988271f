"""What every answer under /api/ shares, in one place: rate limits, one error body, ETag and
Last-Modified with 304 answers, and gzip. Pages outside /api/ pass straight through.

Rate limits are a fixed window per minute, counted in `caches["default"]` (shared, so every
worker counts together): per client address for anonymous calls (behind a proxy, the address
`accounts.throttling.client_ip` trusts), per key for calls with an `X-API-Key` header. Keys
are issued in the Wagtail admin (api/wagtail_hooks.py).
"""

import hashlib
import logging
import math
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from accounts.throttling import client_ip

from .errors import error_response
from .models import ApiKey

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"
LAST_USED_PRECISION = timedelta(minutes=1)


def is_api(request):
    return request.path.startswith(API_PREFIX)


def client_address(request):
    """The caller's address as the sign-in limits see it: behind `TRUSTED_PROXY_COUNT`
    proxies, the address the outermost trusted one saw, so callers do not all share the
    proxy's allowance."""
    return client_ip(request) or "unknown"


class RateLimit:
    def __init__(self, identity, limit):
        self.identity = identity
        self.limit = limit
        self.window = settings.API_RATE_LIMIT_WINDOW_SECONDS
        now = time.time()
        self.bucket = int(now // self.window)
        self.retry_after = max(1, math.ceil(self.window - now % self.window))
        self.count = 0

    def hit(self):
        cache = caches["default"]
        key = f"api-rate:{self.identity}:{self.bucket}"
        # Counting up first: on the database cache an `add` before every `incr` cost four
        # more queries a call, and only the window's first call needs it.
        try:
            self.count = cache.incr(key)
        except ValueError:  # the window's first call
            if cache.add(key, 1, timeout=self.window + 5):
                self.count = 1
            else:  # another worker's first call came just before
                self.count = cache.incr(key)
        return self.count <= self.limit

    @property
    def remaining(self):
        return max(0, self.limit - self.count)

    def headers(self):
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}


def rate_limit_for(request):
    """The limit that applies, or an error response for a key that is not valid."""
    raw_key = request.headers.get("X-API-Key", "").strip()
    if not raw_key:
        return RateLimit(f"ip:{client_address(request)}", settings.API_RATE_LIMIT_ANONYMOUS)
    key = ApiKey.find(raw_key)
    if key is None:
        return error_response(401)
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return RateLimit(f"key:{key.pk}", settings.API_RATE_LIMIT_WITH_KEY)


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.gzip = GZipMiddleware(get_response)

    def __call__(self, request):
        if not is_api(request):
            return self.get_response(request)
        limit = rate_limit_for(request)
        if not isinstance(limit, RateLimit):
            return limit
        if not limit.hit():
            return error_response(
                429, headers={"Retry-After": str(limit.retry_after), **limit.headers()}
            )
        head = request.method == "HEAD"
        if head:  # answered as GET, without the body
            request.method = "GET"
        response = self.get_response(request)
        response = self.one_error_shape(response)
        response = self.conditional(request, response)
        for name, value in limit.headers().items():
            response[name] = value
        response = self.gzip.process_response(request, response)
        if head:
            request.method = "HEAD"
            response.content = b""
        return response

    def process_exception(self, request, exception):
        # Not-found and forbidden become Django's own answers, reshaped on the way out.
        if is_api(request) and not isinstance(exception, Http404 | PermissionDenied):
            logger.exception("API error on %s", request.get_full_path())
            return error_response(500)
        return None

    @staticmethod
    def one_error_shape(response):
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        headers = {name: response[name] for name in ("Retry-After", "Allow") if name in response}
        return error_response(response.status_code, headers=headers)

    @staticmethod
    def conditional(request, response):
        """ETag from the body; Last-Modified from when the data last changed (the view sets
        `request.api_last_modified`). A client that sends either back gets 304 if nothing
        changed."""
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if getattr(response, "streaming", False):
            return response
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["ETag"] = etag
        last_modified = getattr(request, "api_last_modified", None)
        timestamp = None
        if last_modified is not None:
            timestamp = int(last_modified.timestamp())
            response["Last-Modified"] = http_date(timestamp)
        response["Cache-Control"] = "public, max-age=60"
        patch_vary_headers(response, ("Accept-Encoding", "X-API-Key"))
        return get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
        )
