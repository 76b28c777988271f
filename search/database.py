"""The database engine: answers a search from the database when Elasticsearch cannot.

The same SearchParams in, the same SearchResponse out as `search.engine`, so the page and
the API never need to know which engine answered (`engine` is "database" and `degraded` is
true). Nothing here talks to Elasticsearch.
"""

import re

from django.db.models import Count, Exists, OuterRef, Q, Value

from .kinds import KINDS
from .params import PAGE_SIZE
from .query import MARK_END, MARK_START
from .results import (
    SearchResponse,
    facet_label,
    format_facets,
    format_result,
    page_url,
    search_url,
    suggestion,
    unique_suggestions,
)

DATABASE = "database"

# Filters the database can apply, and what they filter on for products.
DATABASE_FILTERS = {
    "category": "category__slug__in",
    "care_setting": "care_settings__slug__in",
    "esf_tier": "esf_tier__in",
    "deployment": "deployment_model__in",
}
DATABASE_FACETS = ("kind", *DATABASE_FILTERS)
MAX_DATABASE_WORDS = 12


def _product_word_filter(word):
    from registry.models import CaseStudyPage, CaseStudyProduct, ProductClinicalAreaTag

    live_studies = CaseStudyPage.objects.live().public()
    return (
        Q(title__icontains=word)
        | Q(supplier__name__icontains=word)
        | Q(summary__icontains=word)
        | Exists(
            ProductClinicalAreaTag.objects.filter(
                content_object=OuterRef("pk"), tag__name__icontains=word
            )
        )
        | Exists(
            CaseStudyProduct.objects.filter(
                product=OuterRef("pk"),
                case_study__in=live_studies,
                case_study__title__icontains=word,
            )
        )
    )


def _matching(kind, words):
    from registry.models import BestPracticePage, CaseStudyPage, ProductPage

    if kind == "product":
        pages = ProductPage.objects.live().public()
        for word in words:
            pages = pages.filter(_product_word_filter(word))
    elif kind == "case_study":
        pages = CaseStudyPage.objects.live().public()
        for word in words:
            pages = pages.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(organisation__name__icontains=word)
            )
    else:
        pages = BestPracticePage.objects.live().public()
        for word in words:
            pages = pages.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return pages


def _apply_product_filters(pages, filters, exclude=None):
    for name, lookup in DATABASE_FILTERS.items():
        values = filters.get(name)
        if values and name != exclude:
            pages = pages.filter(**{lookup: list(values)})
    return pages


def _kinds_for(filters, exclude_kind=False):
    """Which kinds can match: product filters leave only products, as in the index."""
    kinds = list(KINDS)
    if not exclude_kind and filters.get("kind"):
        kinds = [kind for kind in kinds if kind in filters["kind"]]
    if any(filters.get(name) for name in DATABASE_FILTERS):
        kinds = [kind for kind in kinds if kind == "product"]
    return kinds


def search(params, vocabulary):
    from registry.models import BestPracticePage, CaseStudyPage, ProductPage

    unsupported = [name for name in params.filters if name not in DATABASE_FACETS]
    if unsupported:
        params = params.with_notice(
            "These filters are not available while search is simplified: "
            + ", ".join(facet_label(name) for name in unsupported)
            + "."
        )
    filters = {name: values for name, values in params.filters.items() if name in DATABASE_FACETS}
    words = params.query.split()[:MAX_DATABASE_WORDS]

    matching = {kind: _matching(kind, words) for kind in KINDS}
    matching["product"] = _apply_product_filters(matching["product"], filters)
    kinds = _kinds_for(filters)

    # Each part drops its default ordering: SQLite refuses ORDER BY inside a UNION.
    parts = [
        matching[kind].order_by().annotate(kind=Value(kind)).values_list("kind", "pk", "title")
        for kind in kinds
    ]
    total = sum(matching[kind].count() for kind in kinds)
    params = params.on_page(total)
    rows = []
    if parts:
        combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        offset = (params.page - 1) * PAGE_SIZE
        rows = list(combined.order_by("title", "pk")[offset : offset + PAGE_SIZE])

    ids = {kind: [pk for row_kind, pk, _ in rows if row_kind == kind] for kind in KINDS}
    loaded = {
        "product": ProductPage.objects.select_related("supplier", "category").in_bulk(
            ids["product"]
        ),
        "case_study": CaseStudyPage.objects.select_related("organisation").in_bulk(
            ids["case_study"]
        ),
        "guide": BestPracticePage.objects.in_bulk(ids["guide"]),
    }
    results = [
        _database_result(kind, loaded[kind][pk], words)
        for kind, pk, _ in rows
        if pk in loaded[kind]
    ]
    counts = _database_facet_counts(params, filters, words)
    return SearchResponse(
        params=params,
        results=results,
        total=total,
        engine=DATABASE,
        degraded=True,
        facets=format_facets(counts, params, vocabulary),
        page_size=PAGE_SIZE,
        sort="title",
    )


def _database_facet_counts(params, filters, words):
    """Counts for the facets the database can offer, with the same multi-select rule as the
    index: each facet counts with every other facet's filter applied, never its own."""
    counts = {}
    kind_counts = {}
    for kind in _kinds_for(filters, exclude_kind=True):
        pages = _matching(kind, words)
        if kind == "product":
            pages = _apply_product_filters(pages, filters)
        kind_counts[kind] = pages.count()
    counts["kind"] = {kind: count for kind, count in kind_counts.items() if count}
    if filters.get("kind") and "product" not in filters["kind"]:
        return counts
    for name, lookup in DATABASE_FILTERS.items():
        field = lookup.removesuffix("__in")
        products = _apply_product_filters(_matching("product", words), filters, exclude=name)
        rows = products.order_by().values(field).annotate(count=Count("pk", distinct=True))
        counts[name] = {row[field]: row["count"] for row in rows if row[field]}
    return counts


def _mark_words(text, words):
    """Mark each searched word in text, as the index's highlighter would."""
    if not text or not words:
        return text
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return pattern.sub(lambda match: f"{MARK_START}{match.group(0)}{MARK_END}", text)


def _database_result(kind, page, words):
    source = {
        "kind": kind,
        "title": page.title,
        "summary": page.summary,
        "url": page.url_path,
    }
    if kind == "product":
        source.update(
            supplier_name=page.supplier.name,
            category=page.category.slug,
            category_name=page.category.name,
            esf_tier=page.esf_tier,
        )
    elif kind == "case_study":
        source["organisation_name"] = page.organisation.name
    highlight = {
        "title": [_mark_words(page.title, words)],
        "summary": [_mark_words(page.summary, words)],
    }
    return format_result(source, highlight, page.pk)


def autocomplete(text, size):
    from registry.models import Category, Organisation, ProductPage

    products = (
        ProductPage.objects.live()
        .public()
        .filter(title__icontains=text)
        .order_by("title")
        .values_list("title", "url_path")[:5]
    )
    suppliers = (
        Organisation.objects.filter(name__icontains=text, products__live=True)
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)[:3]
    )
    categories = Category.objects.filter(name__icontains=text).order_by("name")[:3]
    suggestions = [suggestion("product", title, path) for title, path in products]
    suggestions += [suggestion("supplier", name, url=search_url(q=name)) for name in suppliers]
    suggestions += [
        suggestion("category", category.name, url=search_url(category=category.slug))
        for category in categories
    ]
    return unique_suggestions(suggestions, size)


def similar_products(page, size):
    from registry.models import ProductPage

    products = (
        ProductPage.objects.live()
        .public()
        .filter(category_id=page.category_id)
        .exclude(pk=page.pk)
        .select_related("supplier")
        .order_by("title", "pk")[:size]
    )
    return [
        {
            "title": product.title,
            "url": page_url(product.url_path),
            "supplier_name": product.supplier.name,
            "summary": product.summary,
        }
        for product in products
    ]


def newly_published_candidates(params):
    """Ids of live, public products matching the words and the filters the database can
    apply (the caller checks there are no others)."""
    words = params.query.split()[:MAX_DATABASE_WORDS]
    return _apply_product_filters(_matching("product", words), params.filters).values_list(
        "pk", flat=True
    )
