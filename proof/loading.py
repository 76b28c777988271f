"""Loading what the rules read, in a fixed number of queries however many products.

proof.rules is pure; this module fetches compliance rows, evidence, care settings and
adopters for a batch of products and hands them to the rules with today's date. Lists, search
results, the shortlist and the consistency report call it once per page of products, never
once per product.
"""

from collections import defaultdict
from typing import NamedTuple

from django.db.models import Count
from django.utils import timezone

from . import rules


def today():
    return timezone.localdate()


def compliance_rows(product_ids):
    """{product id: [rules.Fact]}: the code, status and expiry the rules read, without
    building a model instance per row (a page of search results carries hundreds)."""
    from assessments.models import ProductCompliance

    grouped = defaultdict(list)
    for product_id, code, status, expires_on in (
        ProductCompliance.objects.filter(product_id__in=list(product_ids))
        .order_by()
        .values_list("product_id", "standard__code", "status", "expires_on")
    ):
        grouped[product_id].append(rules.fact(code, status, expires_on))
    return grouped


def adopter_counts(product_ids):
    from registry.models import Adoption

    return dict(
        Adoption.objects.filter(product_id__in=list(product_ids), confirmed=True)
        .order_by()
        .values("product_id")
        .annotate(count=Count("pk"))
        .values_list("product_id", "count")
    )


def standings(products, day=None):
    """{product id: rules.Standing} for ProductPages (or anything with pk and esf_tier)."""
    day = day or today()
    products = [product for product in products if product is not None]
    ids = [product.pk for product in products]
    rows = compliance_rows(ids)
    adopters = adopter_counts(ids)
    return {
        product.pk: rules.standing(
            rows.get(product.pk, ()), day, product.esf_tier, adopters.get(product.pk, 0)
        )
        for product in products
    }


def attach_standings(products, day=None):
    """Sets ``proof_standing`` on each product, for the card include; returns the products."""
    products = list(products)
    found = standings(products, day)
    for product in products:
        product.proof_standing = found.get(product.pk)
    return products


class _Product(NamedTuple):
    """What standings() reads of a product, without building a page instance for it."""

    pk: int
    esf_tier: str


def standings_for_ids(product_ids, day=None):
    from registry.models import ProductPage

    ids = [int(pk) for pk in product_ids if str(pk).isdigit()]
    rows = ProductPage.objects.filter(pk__in=ids).order_by().values_list("pk", "esf_tier")
    return standings([_Product(*row) for row in rows], day)


# --- Listings, for the publishing rules and the consistency report ----------------------------


def listing(page, rows, evidence_types, care_settings):
    """The rules' view of a product page, from its fields and the related rows given."""
    return rules.Listing(
        title=page.title,
        supplier=page.supplier.name if page.supplier_id else "",
        category=page.category.name if page.category_id else "",
        care_settings=tuple(care_settings),
        summary=page.summary or "",
        esf_tier=page.esf_tier or "",
        device_class=page.device_class or rules.NOT_A_DEVICE,
        conformity_marking=page.conformity_marking or rules.NOT_A_DEVICE,
        processes_personal_data=bool(page.processes_personal_data),
        evidence_types=tuple(evidence_types),
        rows=tuple(rows),
    )


def listings(pages):
    """{page id: rules.Listing} for saved pages, in four queries."""
    from registry.models import EvidenceItem, ProductPage

    pages = list(pages)
    ids = [page.pk for page in pages]
    rows = compliance_rows(ids)
    evidence = defaultdict(list)
    for product_id, kind in (
        EvidenceItem.objects.filter(product_id__in=ids)
        .order_by()
        .values_list("product_id", "evidence_type")
    ):
        evidence[product_id].append(kind)
    settings = defaultdict(list)
    through = ProductPage.care_settings.through
    for product_id, name in (
        through.objects.filter(productpage_id__in=ids)
        .order_by()
        .values_list("productpage_id", "caresetting__name")
    ):
        settings[product_id].append(name)
    return {
        page.pk: listing(page, rows.get(page.pk, ()), evidence[page.pk], settings[page.pk])
        for page in pages
    }


def live_breaches(day=None):
    """[(product, breach)] for every live, public listing that breaks a rule on ``day``."""
    from registry.models import ProductPage

    day = day or today()
    pages = list(
        ProductPage.objects.live()
        .public()
        .select_related("supplier", "category")
        .order_by("title", "pk")
    )
    found = listings(pages)
    return [(page, breach) for page in pages for breach in rules.breaches(found[page.pk], day)]


def _formset_rows(form, name):
    formset = form.formsets.get(name)
    if formset is None:
        return []
    return [
        child.cleaned_data
        for child in formset.forms
        if child.is_valid() and child.cleaned_data and not child.cleaned_data.get("DELETE")
    ]


def listing_from_form(form):
    """The rules' view of a product as the editor's form holds it, before it is saved."""
    data = form.cleaned_data
    rows = [
        rules.fact(row["standard"].code, row.get("status"), row.get("expires_on"))
        for row in _formset_rows(form, "compliance")
        if row.get("standard") is not None
    ]
    supplier, category = data.get("supplier"), data.get("category")
    return rules.Listing(
        title=data.get("title", ""),
        supplier=supplier.name if supplier else "",
        category=category.name if category else "",
        care_settings=tuple(setting.name for setting in data.get("care_settings") or ()),
        summary=data.get("summary") or "",
        esf_tier=data.get("esf_tier") or "",
        device_class=data.get("device_class") or rules.NOT_A_DEVICE,
        conformity_marking=data.get("conformity_marking") or rules.NOT_A_DEVICE,
        processes_personal_data=bool(data.get("processes_personal_data")),
        evidence_types=tuple(
            row["evidence_type"]
            for row in _formset_rows(form, "evidence")
            if row.get("evidence_type")
        ),
        rows=tuple(rows),
    )
