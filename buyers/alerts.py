"""Saved searches and their daily digest.

A saved search is the search page's own query string, read back through `SearchParams`, so
an alert matches exactly what the page would show. `send_digests` (run daily by
`manage.py send_alerts`) lists, for each active saved search, the live products that match
it and were first published since it was saved, and that it has never listed before.

Idempotence: every product a digest lists is recorded as an `AlertDelivery` (one row per
saved search and product, enforced by a unique constraint). The rows are written, and the
saved search locked, in the same transaction that sends the email; if sending fails the
transaction rolls back and the next run tries again. Running twice sends nothing twice.

Unsubscribing needs no sign-in: each email carries a signed link to its saved search
(`unsubscribe_token`), and List-Unsubscribe / List-Unsubscribe-Post headers so mail
programs can offer their own one-click button (RFC 8058).
"""

import datetime
import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from registry.models import ProductPage
from search.params import SearchParams
from search.results import describe_search, page_url, params_from_query_string
from search.service import CannotMatchNow, newly_published_products

from .models import AlertDelivery, SavedSearch

logger = logging.getLogger(__name__)

# Kept from when alerts lived in search/: links in digests already sent keep working.
UNSUBSCRIBE_SALT = "search.alerts.unsubscribe"
# Look back this far before the last run, so a product indexed late is still caught; the
# delivery records stop it being listed twice.
LOOKBACK = datetime.timedelta(days=2)
MAX_SAVED_SEARCHES_PER_USER = 50


def canonical_query_string(data):
    """The words and filters of a search as one stable query string (no page, no sort)."""
    params = SearchParams.from_request_data(data)
    items = [(name, value) for name, value in params.as_query_items() if name != "sort"]
    return urlencode(items), params


def params_for(saved_search):
    return params_from_query_string(saved_search.query_string)


def save_search(user, data, name=""):
    """Save (or re-activate) a search for the user. Returns (saved_search, created)."""
    query_string, params = canonical_query_string(data)
    name = " ".join((name or "").split())[:200] or describe_search(params)[:200]
    saved, created = SavedSearch.objects.get_or_create(
        user=user, query_string=query_string, defaults={"name": name}
    )
    if not created and saved.unsubscribed_at:
        saved.unsubscribed_at = None
        saved.checked_until = timezone.now()
        saved.save(update_fields=["unsubscribed_at", "checked_until"])
    return saved, created


# --- Unsubscribing --------------------------------------------------------------------------


def unsubscribe_token(saved_search):
    return signing.dumps({"saved_search": saved_search.pk}, salt=UNSUBSCRIBE_SALT)


def saved_search_for_token(token):
    """The saved search a token names, or None for a forged or mangled token."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    return SavedSearch.objects.filter(pk=value.get("saved_search")).first()


def unsubscribe(saved_search):
    if saved_search.unsubscribed_at is None:
        saved_search.unsubscribed_at = timezone.now()
        saved_search.save(update_fields=["unsubscribed_at"])


def absolute(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


# --- The digest -----------------------------------------------------------------------------


@dataclass
class DigestRun:
    checked: int = 0
    sent: int = 0
    products_listed: int = 0
    skipped: list = field(default_factory=list)  # (saved search id, reason)


def send_digests(now=None, progress=None):
    """One digest per active saved search that has new products. Safe to run repeatedly."""
    now = now or timezone.now()
    run = DigestRun()
    saved_ids = list(
        SavedSearch.objects.filter(unsubscribed_at__isnull=True, user__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in saved_ids:
        run.checked += 1
        try:
            listed = _send_one(pk, now)
        except CannotMatchNow as exc:
            logger.warning("Saved search %s skipped this run: %s", pk, exc)
            run.skipped.append((pk, str(exc)))
            listed = 0
        if listed:
            run.sent += 1
            run.products_listed += listed
        if progress:
            progress(run)
    return run


def _send_one(pk, now):
    with transaction.atomic():
        # Locked for the whole send, so two runs at once cannot both list a product.
        saved = (
            SavedSearch.objects.select_for_update()
            .select_related("user")
            .filter(pk=pk, unsubscribed_at__isnull=True)
            .first()
        )
        if saved is None or not saved.user.email:
            return 0
        since = max(saved.created_at, saved.checked_until - LOOKBACK)
        ids = newly_published_products(params_for(saved), since)
        already = set(
            AlertDelivery.objects.filter(saved_search=saved, product_id__in=ids).values_list(
                "product_id", flat=True
            )
        )
        new_ids = [pk for pk in ids if pk not in already]
        saved.checked_until = now
        if not new_ids:
            saved.save(update_fields=["checked_until"])
            return 0
        products = ProductPage.objects.select_related("supplier", "category").in_bulk(new_ids)
        products = [products[pk] for pk in new_ids if pk in products]
        AlertDelivery.objects.bulk_create(
            [
                AlertDelivery(saved_search=saved, product=product, sent_at=now)
                for product in products
            ]
        )
        saved.last_sent_at = now
        saved.save(update_fields=["checked_until", "last_sent_at"])
        _email(saved, products)
        return len(products)


def _email(saved, products):
    token = unsubscribe_token(saved)
    unsubscribe_url = absolute(reverse("alerts-unsubscribe", args=[token]))
    context = {
        "saved_search": saved,
        "products": [
            {
                "title": product.title,
                "supplier": product.supplier.name,
                "category": product.category.name,
                "summary": product.summary,
                "url": absolute(page_url(product.url_path)),
            }
            for product in products
        ],
        "search_url": absolute(f"{reverse('search')}?{saved.query_string}"),
        "unsubscribe_url": unsubscribe_url,
        "manage_url": absolute(reverse("saved-searches")),
    }
    count = len(products)
    message = EmailMultiAlternatives(
        subject=f"{count} new product{'s' if count != 1 else ''} for your saved search: "
        f"{saved.name}",
        body=render_to_string("buyers/email/digest.txt", context),
        to=[saved.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("buyers/email/digest.html", context), "text/html")
    message.send()
