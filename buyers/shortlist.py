"""A buyer's shortlist: in the session for visitors, in the database once signed in.

`Shortlist(request)` hides where it is kept. A visitor's shortlist moves into the account
when they sign in, whatever view signs them in (`merge_on_sign_in`, connected to Django's
`user_logged_in` signal in RegistryConfig.ready).

Each entry remembers the search it was added from (its query string), so an export and a
frozen record can state the searches and filters that produced the shortlist.

`snapshot` is the one description of a product that the CSV export and the frozen record
share: what the product showed at that moment, in plain values.
"""

import csv
import io
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from proof.product import ProductProof
from registry.models import ProductPage
from search.results import describe_search, params_from_query_string

from .compare import headline_outcomes
from .models import FrozenShortlist, ShortlistItem

MAX_ITEMS = 100
SESSION_KEY = "shortlist"
FOUND_BY_MAX_LENGTH = 2000


def found_by_from(next_url):
    """The search a product was added from: the query string of a /search/ address."""
    from django.urls import reverse

    if not next_url:
        return ""
    parts = urlsplit(next_url)
    if parts.path != reverse("search"):
        return ""
    items = [(name, value) for name, value in parse_qsl(parts.query) if name not in ("page",)]
    return urlencode(items)[:FOUND_BY_MAX_LENGTH]


class Shortlist:
    def __init__(self, request):
        self.request = request
        self.user = request.user if request.user.is_authenticated else None

    # --- Reading ------------------------------------------------------------------------

    def _session_entries(self):
        entries = []
        seen = set()
        for entry in self.request.session.get(SESSION_KEY, []):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
                continue
            if entry["id"] in seen:
                continue
            seen.add(entry["id"])
            entries.append(
                {
                    "id": entry["id"],
                    "found_by": str(entry.get("found_by", ""))[:FOUND_BY_MAX_LENGTH],
                    "added_at": str(entry.get("added_at", "")),
                }
            )
        return entries[:MAX_ITEMS]

    def product_ids(self):
        if self.user:
            # Read once a request: the header's count and the page's buttons both ask.
            ids = getattr(self.request, "_shortlist_ids", None)
            if ids is None:
                ids = self.request._shortlist_ids = list(
                    ShortlistItem.objects.filter(user=self.user).values_list(
                        "product_id", flat=True
                    )
                )
            return list(ids)
        return [entry["id"] for entry in self._session_entries()]

    def __len__(self):
        if self.user:
            return len(self.product_ids())
        return len(self._session_entries())

    def _changed(self):
        self.request.__dict__.pop("_shortlist_ids", None)

    def entries(self):
        """[(product, found_by, added_at)] for live products, oldest first, and a notice if
        any were unpublished since (they are taken off the shortlist)."""
        if self.user:
            items = list(ShortlistItem.objects.filter(user=self.user))
            self.request._shortlist_ids = [item.product_id for item in items]
            raw = [
                {"id": item.product_id, "found_by": item.found_by, "added_at": item.added_at}
                for item in items
            ]
        else:
            raw = self._session_entries()
        products = (
            ProductPage.objects.live()
            .public()
            .select_related("supplier", "category")
            .in_bulk([entry["id"] for entry in raw])
        )
        gone = [entry["id"] for entry in raw if entry["id"] not in products]
        notices = []
        if gone:
            for pk in gone:
                self.remove(pk)
            notices.append(
                "A product on your shortlist is no longer published, so we removed it."
                if len(gone) == 1
                else f"{len(gone)} products on your shortlist are no longer published, so we "
                "removed them."
            )
        entries = [
            (products[entry["id"]], entry["found_by"], entry["added_at"])
            for entry in raw
            if entry["id"] in products
        ]
        return entries, notices

    # --- Changing -----------------------------------------------------------------------

    def add(self, product, found_by=""):
        """Returns (added, message)."""
        found_by = (found_by or "")[:FOUND_BY_MAX_LENGTH]
        if product.pk in self.product_ids():
            return False, f"{product.title} is already on your shortlist."
        if len(self) >= MAX_ITEMS:
            return False, (
                f"Your shortlist has {MAX_ITEMS} products, the most it can hold. Remove one "
                f"before adding {product.title}."
            )
        if self.user:
            try:
                with transaction.atomic():
                    ShortlistItem.objects.create(user=self.user, product=product, found_by=found_by)
                self._changed()
            except IntegrityError:  # added twice at once, from two tabs
                return False, f"{product.title} is already on your shortlist."
        else:
            entries = self._session_entries()
            entries.append(
                {"id": product.pk, "found_by": found_by, "added_at": timezone.now().isoformat()}
            )
            self.request.session[SESSION_KEY] = entries
        return True, f"{product.title} added to your shortlist."

    def remove(self, product_id):
        if self.user:
            ShortlistItem.objects.filter(user=self.user, product_id=product_id).delete()
            self._changed()
        else:
            self.request.session[SESSION_KEY] = [
                entry for entry in self._session_entries() if entry["id"] != product_id
            ]

    def clear(self):
        if self.user:
            ShortlistItem.objects.filter(user=self.user).delete()
            self._changed()
        else:
            self.request.session.pop(SESSION_KEY, None)

    # --- Exports ------------------------------------------------------------------------

    def freeze(self, title, base_url):
        entries, _ = self.entries()
        products = [
            snapshot(product, base_url, found_by, added_at)
            for product, found_by, added_at in entries
        ]
        searches = []
        for _, found_by, _ in entries:
            if found_by and found_by not in [search["query_string"] for search in searches]:
                searches.append(
                    {"query_string": found_by, "description": describe_found_by(found_by)}
                )
        return FrozenShortlist.objects.create(
            title=title, created_by=self.user, products=products, searches=searches
        )


def merge_on_sign_in(sender, request, user, **kwargs):
    """A visitor's shortlist joins their account's when they sign in (up to the limit)."""
    if request is None or not hasattr(request, "session"):
        return
    entries = request.session.get(SESSION_KEY) or []
    if not entries:
        return
    have = set(ShortlistItem.objects.filter(user=user).values_list("product_id", flat=True))
    room = MAX_ITEMS - len(have)
    live = set(
        ProductPage.objects.live()
        .public()
        .filter(pk__in=[e.get("id") for e in entries if isinstance(e, dict)])
        .values_list("pk", flat=True)
    )
    rows = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        pk = entry.get("id")
        if pk in live and pk not in have and len(rows) < room:
            have.add(pk)
            rows.append(
                ShortlistItem(
                    user=user,
                    product_id=pk,
                    found_by=str(entry.get("found_by", ""))[:FOUND_BY_MAX_LENGTH],
                )
            )
    ShortlistItem.objects.bulk_create(rows, ignore_conflicts=True)
    request.__dict__.pop("_shortlist_ids", None)
    request.session.pop(SESSION_KEY, None)


# --- What a product showed -------------------------------------------------------------------


def describe_found_by(query_string):
    """The search a product was found by, in words, as it reads today."""
    return describe_search(params_from_query_string(query_string))


def snapshot(product, base_url, found_by="", added_at=""):
    proof = ProductProof.load(product)
    dtac = proof.dtac
    return {
        "id": product.pk,
        "title": product.title,
        "url": base_url.rstrip("/") + product.url,
        "supplier": product.supplier.name,
        "supplier_companies_house_number": product.supplier.companies_house_number or "",
        "category": product.category.name,
        "summary": product.summary,
        "esf_tier": product.get_esf_tier_display(),
        "evidence_count": len(proof.evidence),
        "evidence_by_type": dict(proof.evidence_by_type),
        "evidence": [
            {"type": item.get_evidence_type_display(), "title": item.title, "year": item.year}
            for item in proof.evidence
        ],
        "standards_met": proof.standards_met_count,
        "standards_expired": proof.expired_count,
        "standards": [
            {
                "code": standard.code,
                "name": standard.name,
                "status": proof.status_label(standard, row),
                "expires_on": row.expires_on.isoformat() if row.expires_on else "",
            }
            for rows in proof.standard_groups.values()
            for standard, row in rows
            if row is not None
        ],
        "dtac": dtac.label,
        "dtac_state": dtac.state,
        "dtac_reason": dtac.reason,
        "integrations": proof.integrations,
        "device_class": product.get_device_class_display(),
        "conformity_marking": product.get_conformity_marking_display(),
        "adopters": len(proof.confirmed_adoptions),
        "adopter_regions": proof.adopter_regions,
        "case_study_outcomes": headline_outcomes(proof),
        "pricing": product.get_pricing_model_display(),
        "deployment": product.get_deployment_model_display(),
        "last_reviewed_on": product.last_reviewed_on.isoformat()
        if product.last_reviewed_on
        else "",
        "found_by": describe_found_by(found_by) if found_by else "",
        "added_at": added_at.isoformat() if hasattr(added_at, "isoformat") else str(added_at),
    }


# The CSV's columns: (heading, snapshot key). Lists are joined with "; ".
CSV_COLUMNS = (
    ("Product", "title"),
    ("Supplier", "supplier"),
    ("Companies House number", "supplier_companies_house_number"),
    ("Category", "category"),
    ("Summary", "summary"),
    ("NICE ESF tier", "esf_tier"),
    ("Evidence items", "evidence_count"),
    ("Standards met", "standards_met"),
    ("Standards expired", "standards_expired"),
    ("DTAC", "dtac"),
    ("DTAC reason", "dtac_reason"),
    ("Integrations", "integrations"),
    ("Medical device class", "device_class"),
    ("UKCA or CE marking", "conformity_marking"),
    ("Confirmed adopters", "adopters"),
    ("Adopter regions", "adopter_regions"),
    ("Case study outcomes", "case_study_outcomes"),
    ("Pricing", "pricing"),
    ("Deployment", "deployment"),
    ("Listing last reviewed", "last_reviewed_on"),
    ("Found by", "found_by"),
    ("Registry page", "url"),
)
# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value):
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    value = "" if value is None else str(value)
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value


def _standard_codes(snapshots):
    """Every standard in the catalogue, in catalogue order, then any retired one a product
    still has a row for: one pair of columns each, so every row lines up."""
    from assessments.models import Standard

    codes = list(Standard.objects.filter(is_active=True).values_list("code", flat=True))
    for item in snapshots:
        for standard in item.get("standards", ()):
            if standard["code"] not in codes:
                codes.append(standard["code"])
    return codes


def csv_text(snapshots):
    snapshots = list(snapshots)
    codes = _standard_codes(snapshots)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [heading for heading, _ in CSV_COLUMNS]
        + [heading for code in codes for heading in (f"{code} status", f"{code} expires")]
    )
    for item in snapshots:
        by_code = {standard["code"]: standard for standard in item.get("standards", ())}
        writer.writerow(
            [_csv_value(item.get(key)) for _, key in CSV_COLUMNS]
            + [
                _csv_value(by_code.get(code, {}).get(part, ""))
                for code in codes
                for part in ("status", "expires_on")
            ]
        )
    return buffer.getvalue()
