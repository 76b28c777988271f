"""Throttling abuse: sign-in lockout (django-axes) and rate limits on the forms that send
email or create accounts (password reset, registration, invitations).

Sign-in failures are counted by django-axes, on the site's sign-in and the Wagtail admin's
alike (both go through `django.contrib.auth.authenticate`): after `AXES_FAILURE_LIMIT`
failures for one account, signing in to it is refused for `AXES_COOLOFF_TIME`, even with the
right password, and `lockout_response` says so with a `Retry-After`. Per client address,
both sign-in forms are rate-limited instead (`RATE_LIMITS["sign_in"]`, generous): a whole
trust can sit behind one address, and a few people's typing errors must not lock it out.

`rate_limited` counts attempts per client address and per account (the email address asked
about, or the signed-in person) in fixed windows kept in `caches["default"]`, so every worker
sees the same counts once the default cache is shared. Over the limit, the view is not run:
the person gets a page that says when to try again, with HTTP 429 and `Retry-After`.
"""

import functools
import hashlib
import math
import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render


def client_ip(request):
    """The client's address: REMOTE_ADDR, or with `TRUSTED_PROXY_COUNT` proxies in front, the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, so a
    client cannot choose it). Also django-axes' AXES_CLIENT_IP_CALLABLE."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _wait_phrase(seconds):
    minutes = max(1, math.ceil(seconds / 60))
    if minutes >= 60:
        hours = math.ceil(minutes / 60)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def too_many_attempts(request, retry_after, *, what="Too many attempts"):
    response = render(
        request,
        "accounts/too_many_attempts.html",
        {"heading": what, "wait": _wait_phrase(retry_after)},
        status=429,
    )
    response["Retry-After"] = str(int(retry_after))
    response["Cache-Control"] = "no-store"
    return response


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the same page, for sign-in."""
    cool_off = settings.AXES_COOLOFF_TIME
    seconds = cool_off.total_seconds() if cool_off else 3600
    return too_many_attempts(request, seconds, what="Too many attempts to sign in")


def _hit(name, scope, identity, limit, period):
    """Counts one attempt; returns the seconds to wait when over the limit, else 0."""
    now = time.time()
    window = int(now // period)
    digest = hashlib.sha256(str(identity).strip().lower().encode()).hexdigest()[:32]
    key = f"ratelimit:{name}:{scope}:{digest}:{window}"
    cache = caches["default"]
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        return max(1, math.ceil((window + 1) * period - now))
    return 0


def rate_limited(name, *, account=None, methods=("POST",)):
    """Limits a view per client address and per account, as `settings.RATE_LIMITS[name]`
    says: {"per_ip": (count, seconds), "per_account": (count, seconds)}. `account(request)`
    names the account an attempt is about (for example the email address posted); without
    it, the signed-in user is the account."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            limits = settings.RATE_LIMITS.get(name)
            if not limits or request.method not in methods:
                return view(request, *args, **kwargs)
            waits = []
            if "per_ip" in limits:
                waits.append(_hit(name, "ip", client_ip(request), *limits["per_ip"]))
            who = account(request) if account else None
            if who is None and request.user.is_authenticated:
                who = f"user:{request.user.pk}"
            if who and "per_account" in limits:
                waits.append(_hit(name, "account", who, *limits["per_account"]))
            wait = max(waits, default=0)
            if wait:
                return too_many_attempts(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def posted_email(request):
    email = request.POST.get("email", "")
    return email.strip().lower() or None


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-ins from a web request (the site's form and the Wagtail
    admin's). Code that calls `authenticate` without a request (a management command, a
    test client's `login`) is not a sign-in attempt anyone can repeat from outside: it is
    left to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
