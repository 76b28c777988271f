"""What is kept in the shared cache for everyone, under one version and today's date in
Europe/London: whole anonymous pages (config/page_cache.py) and the parts of pages and counts
that are the same for everyone (`kept_for_everyone`, `{% catalogue_cache %}`).

Every key carries a version held in the cache itself, which a publish bumps
(`bump_version`, `invalidate_on_commit`), and today's London date; every entry's lifetime
ends at the next London midnight at the latest, so nothing kept shows a lapsed standard as
met. It imports no app: every app may use it (pyproject.toml's layers).
"""

import datetime
import hashlib
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
VERSION_KEY = "page-cache:version"
LONDON = ZoneInfo("Europe/London")


def seconds_until_london_midnight(now=None):
    """Seconds from now to the next midnight in Europe/London (at least 1)."""
    now = (now or timezone.now()).astimezone(LONDON)
    tomorrow = now.date() + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=LONDON)
    # In UTC: subtracting two times of one zone ignores a change of clocks between them.
    return max(1, int((midnight.astimezone(datetime.UTC) - now).total_seconds()))


def lifetime(now=None):
    return min(settings.PAGE_CACHE_SECONDS, seconds_until_london_midnight(now))


def london_today():
    return timezone.localtime(timezone.now(), LONDON).date()


# The version this worker saw last: the page is read under it in the same query as the version.
_last_seen_version = 1


def read_under_version(key_for_version):
    """(key, stored value or None) under the current version, in one query of the cache table
    unless the version moved since this worker last looked: the version and the entry under
    the version this worker saw last are read together."""
    global _last_seen_version
    guess = _last_seen_version
    guessed_key = key_for_version(guess)
    found = cache.get_many([VERSION_KEY, guessed_key])
    version = found.get(VERSION_KEY) or 1
    if version == guess:
        return guessed_key, found.get(guessed_key)
    _last_seen_version = version
    key = key_for_version(version)
    return key, cache.get(key)


def fragment_key(name, vary_on, version, today):
    """The key of a fragment of a page kept for everyone (config/templatetags): the same
    version and date as whole pages."""
    digest = hashlib.sha256(repr([str(value) for value in vary_on]).encode()).hexdigest()
    return f"page-cache:{version}:{today.isoformat()}:fragment:{name}:{digest}"


def read_fragment(name, vary_on=()):
    """(key, stored fragment or None) under the current version and today's London date, in
    one query of the cache table."""
    today = london_today()
    return read_under_version(lambda version: fragment_key(name, vary_on, version, today))


def kept_for_everyone(name, vary_on, work):
    """What `work()` answers, kept in the shared cache under `name` and `vary_on` with the
    pages' version, date and lifetime: for something the same for everyone and costly to work
    out (a rendered fragment, a listing's count). With the page cache off, or the cache table
    unreadable, it is worked out every time."""
    if not settings.PAGE_CACHE_SECONDS:
        return work()
    try:
        key, stored = read_fragment(name, vary_on)
    except DatabaseError as exc:
        logger.warning("A cached fragment could not be read: %s", exc)
        return work()
    if stored is not None:
        return stored
    value = work()
    try:
        cache.set(key, value, timeout=lifetime())
    except DatabaseError as exc:
        logger.warning("A cached fragment could not be written: %s", exc)
    return value


def bump_version():
    """Drop every cached page: new keys from now on (old entries age out)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def invalidate_on_commit(*args, **kwargs):
    transaction.on_commit(bump_version)
