"""The calls to Elasticsearch, and the database search that answers when it cannot.

`run_search` is the one service the search page and the JSON API both call. It asks
Elasticsearch; when Elasticsearch is not configured, unreachable, too slow, or has no index
yet, it answers from the database instead (simplified: words matched in names, suppliers,
summaries, clinical areas and case-study titles, a few facets, A to Z) and says so.
Either way it records the search for the scaling team, and never raises for anything a
user can type.
"""

import dataclasses
import logging
import re
import threading
import time
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.urls import reverse
from elasticsearch import ApiError, NotFoundError, TransportError

from .client import SearchNotConfigured, get_client, is_configured
from .documents import alias_name
from .query import (
    KINDS,
    MARK_END,
    MARK_START,
    MAX_RESULT_WINDOW,
    PAGE_SIZE,
    QueryBuilder,
    autocomplete_body,
    normalise_query,
    similar_products_body,
)
from .results import (
    SearchResponse,
    clean_filters,
    did_you_mean_from_suggest,
    facet_counts_from_aggregations,
    facet_label,
    format_facets,
    format_hit,
    format_result,
    page_url,
)

logger = logging.getLogger(__name__)

ELASTICSEARCH = "elasticsearch"
DATABASE = "database"
DEGRADED_HEADING = "Search is simplified right now"
DEGRADED_DETAIL = (
    "Results match your words in product names, suppliers, summaries, clinical areas and "
    "case study titles, in A to Z order, and some filters are not available."
)
DEGRADED_NOTICE = f"{DEGRADED_HEADING}. {DEGRADED_DETAIL}"
# A query that finds fewer results than this gets a did-you-mean suggestion.
FEW_RESULTS = 3
# After a connection failure or timeout, skip Elasticsearch for this long instead of making
# every search wait for the timeout while it is down.
RETRY_AFTER_SECONDS = 5.0
AUTOCOMPLETE_SIZE = 8
AUTOCOMPLETE_MIN_LENGTH = 2

_down_until = {}
_down_lock = threading.Lock()


class SearchUnavailable(Exception):
    """Elasticsearch cannot answer this request; the database will."""


def _client():
    if not is_configured():
        raise SearchUnavailable("ELASTICSEARCH_URL is not set")
    url = settings.ELASTICSEARCH_URL
    if time.monotonic() < _down_until.get(url, 0):
        raise SearchUnavailable(f"{url} failed moments ago")
    try:
        return get_client()
    except SearchNotConfigured as exc:
        raise SearchUnavailable(str(exc)) from exc


def _call(operation, **kwargs):
    """Run one client call, turning every engine failure into SearchUnavailable."""
    client = _client()
    try:
        return getattr(client, operation)(**kwargs)
    except NotFoundError as exc:
        raise SearchUnavailable(f"no index yet: {exc}") from exc
    except ApiError as exc:
        raise SearchUnavailable(f"Elasticsearch refused the request: {exc}") from exc
    except TransportError as exc:
        # Connection refused, timeout: Elasticsearch is down or struggling. Give it a moment.
        with _down_lock:
            _down_until[settings.ELASTICSEARCH_URL] = time.monotonic() + RETRY_AFTER_SECONDS
        raise SearchUnavailable(f"Elasticsearch did not answer: {exc}") from exc


def forget_failures():
    """Try Elasticsearch again on the next request (tests, and after a restart)."""
    with _down_lock:
        _down_until.clear()


# --- The search service ---------------------------------------------------------------------


def run_search(params, channel="page", record=True):
    """Search with clean SearchParams; returns a SearchResponse from whichever engine answered.

    The page (search.views) and the JSON API (search.api) both call this, so they share
    semantics: the same words, filters, sort, pagination and notices.
    """
    started = time.perf_counter()
    vocabulary = clean_filters(params)
    try:
        response = elasticsearch_search(params, vocabulary)
    except SearchUnavailable as exc:
        logger.warning("Search answered from the database: %s", exc)
        response = database_search(params, vocabulary)
    except Exception:
        # A bug here must not cost the user their search: log it loudly, answer anyway.
        logger.exception("Elasticsearch search failed unexpectedly; answering from the database")
        response = database_search(params, vocabulary)
    response.took_ms = round((time.perf_counter() - started) * 1000)
    if record:
        record_search(response, channel)
    return response


def elasticsearch_search(params, vocabulary):
    """Exact words first. When they find little, a did-you-mean suggestion, and a second
    pass kept if it finds more: the suggested words, exactly; or, with no suggestion and
    nothing found, the words with typos forgiven (fuzziness AUTO), the costliest search
    there is, so only as the last resort."""
    builder = QueryBuilder(params)
    raw = _search(builder, params.page)
    did_you_mean = ""
    if params.query and _total(raw) < FEW_RESULTS:
        did_you_mean = _did_you_mean(builder)
        second = _second_pass(params, did_you_mean, found=_total(raw))
        if second is not None:
            second_raw = _search(second, params.page)
            if _total(second_raw) > _total(raw):
                builder, raw = second, second_raw
    total = _total(raw)
    if clamp_page(params, total):
        raw = _search(builder, params.page)
    counts = facet_counts_from_aggregations(raw.get("aggregations"))
    return SearchResponse(
        params=params,
        results=[format_hit(hit) for hit in raw["hits"]["hits"]],
        total=total,
        engine=ELASTICSEARCH,
        facets=format_facets(counts, params, vocabulary),
        did_you_mean=did_you_mean,
        page_size=PAGE_SIZE,
        sort=builder.effective_sort(),
    )


def _second_pass(params, did_you_mean, found):
    """The search to try when the words as typed find little, or None."""
    if did_you_mean:
        # The same filters, order and page, for the corrected words; the response still
        # speaks of the words as typed, with the correction offered beside them.
        return QueryBuilder(dataclasses.replace(params, query=did_you_mean))
    if not found:
        return QueryBuilder(params, fuzzy=True)
    return None


def _total(raw):
    return raw["hits"]["total"]["value"]


def clamp_page(params, total):
    """Past the last page, show the last page and say so (never a 404). True if moved."""
    last_page = max(1, -(-min(total, MAX_RESULT_WINDOW) // PAGE_SIZE))
    if params.page <= last_page:
        return False
    if total:
        params.notices.append(
            f"There {'is' if last_page == 1 else 'are'} only {last_page} "
            f"page{'' if last_page == 1 else 's'} of results, so we are showing the last one."
        )
    params.page = last_page
    return True


def _search(builder, page):
    """The page of hits and the facet counts, in one multi-search: Elasticsearch runs the
    two side by side, and caches the counts (see QueryBuilder.facets_body). Returns the
    hits' answer with the counts' `aggregations` added."""
    header = {"index": ",".join(builder.indices()), "ignore_unavailable": True}
    raw = _call(
        "msearch",
        searches=[header, builder.body(page=page), header, builder.facets_body()],
    )
    hits, facets = raw["responses"]
    for answer in (hits, facets):
        if "error" in answer:
            error = answer["error"]
            reason = error.get("reason", error) if isinstance(error, dict) else error
            raise SearchUnavailable(f"Elasticsearch refused the search: {reason}")
    if not hits.get("_shards", {}).get("total"):
        raise SearchUnavailable("none of the search aliases exist yet")
    return {**hits, "aggregations": facets.get("aggregations")}


def _did_you_mean(builder):
    try:
        raw = _call(
            "search",
            index=builder.indices(),
            body=builder.suggestion_body(),
            ignore_unavailable=True,
        )
    except SearchUnavailable as exc:
        logger.info("No did-you-mean suggestion: %s", exc)
        return ""
    return did_you_mean_from_suggest(builder.params.query, raw.get("suggest"))


# --- Recording searches ---------------------------------------------------------------------


def record_search(response, channel):
    """One row per search, for the scaling team. Page views of a search after the first
    are not new searches, and neither is opening the empty search page. Never raises."""
    from .models import SearchQueryLog

    params = response.params
    if params.is_empty or params.requested_page != 1:
        return
    try:
        with transaction.atomic():
            SearchQueryLog.objects.create(
                query=params.query.lower()[: SearchQueryLog.QUERY_MAX_LENGTH],
                filters={name: list(values) for name, values in params.filters.items()},
                result_count=response.total,
                latency_ms=response.took_ms,
                engine=response.engine,
                channel=channel,
            )
    except Exception:
        logger.exception("Could not record a search in the search log")


# --- The database fallback ------------------------------------------------------------------

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


def database_search(params, vocabulary):
    from registry.models import BestPracticePage, CaseStudyPage, ProductPage

    params.notices.insert(0, DEGRADED_NOTICE)
    unsupported = [name for name in params.filters if name not in DATABASE_FACETS]
    if unsupported:
        params.notices.append(
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
    clamp_page(params, total)
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


# --- Autocomplete ---------------------------------------------------------------------------


def autocomplete(text, size=AUTOCOMPLETE_SIZE):
    """Suggestions as someone types: [{label, type, type_label, url}], at most `size`.

    Products and guides link to their page; suppliers, organisations and categories link
    to a search for them. Empty for fewer than two characters.
    """
    text = normalise_query(text)[:100]
    if len(text) < AUTOCOMPLETE_MIN_LENGTH:
        return []
    try:
        raw = _call(
            "search",
            index=[alias_name(kind) for kind in KINDS],
            body=autocomplete_body(text, size),
            ignore_unavailable=True,
        )
    except SearchUnavailable as exc:
        logger.info("Autocomplete from the database: %s", exc)
        return _database_autocomplete(text, size)
    suggestions = []
    for option in (raw.get("suggest") or {}).get("names", [{}])[0].get("options", []):
        suggestions.append(_suggestion_from_completion(option))
    for hit in raw["hits"]["hits"]:
        source = hit["_source"]
        suggestions.append(_suggestion(source.get("kind"), source["title"], source.get("url")))
    return _unique(suggestions, size)


def _search_url(**params):
    return f"{reverse('search')}?{urlencode(params)}"


TYPE_LABELS = {
    "product": "Product",
    "supplier": "Supplier",
    "category": "Category",
    "case_study": "Case study",
    "organisation": "Organisation",
    "guide": "Guide",
}


def _suggestion(kind, label, url_path=None, url=None):
    return {
        "label": label,
        "type": kind,
        "type_label": TYPE_LABELS.get(kind, kind),
        "url": url or page_url(url_path),
    }


def _suggestion_from_completion(option):
    text = option["text"]
    source = option.get("_source", {})
    kind = source.get("kind")
    if text == source.get("title"):
        return _suggestion(kind, text, source.get("url"))
    if kind == "product" and text == source.get("supplier_name"):
        return _suggestion("supplier", text, url=_search_url(q=text))
    if kind == "product" and text == source.get("category_name"):
        return _suggestion("category", text, url=_search_url(category=source.get("category")))
    return _suggestion("organisation", text, url=_search_url(q=text))


# Products first, then the ways into a set of products, then reading.
TYPE_ORDER = ["product", "supplier", "category", "guide", "case_study", "organisation"]


def _unique(suggestions, size):
    seen = set()
    unique = []
    for suggestion in suggestions:
        key = (suggestion["type"], suggestion["label"].lower())
        if key not in seen and suggestion["url"]:
            seen.add(key)
            unique.append(suggestion)
    unique.sort(key=lambda s: TYPE_ORDER.index(s["type"]) if s["type"] in TYPE_ORDER else 99)
    return unique[:size]


def _database_autocomplete(text, size):
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
    suggestions = [_suggestion("product", title, path) for title, path in products]
    suggestions += [_suggestion("supplier", name, url=_search_url(q=name)) for name in suppliers]
    suggestions += [
        _suggestion("category", category.name, url=_search_url(category=category.slug))
        for category in categories
    ]
    return _unique(suggestions, size)


# --- Similar products -----------------------------------------------------------------------


def similar_products(page, size=4):
    """Products like this one, for its product page: [{title, url, supplier_name, summary}].

    From the index (more_like_this on what it does, for whom, and where); from the same
    category in the database when the index cannot answer. Never includes the page itself.
    """
    try:
        raw = _call(
            "search", index=alias_name("product"), body=similar_products_body(page.pk, size)
        )
        similar = [
            {
                "title": hit["_source"].get("title", ""),
                "url": page_url(hit["_source"].get("url", "")),
                "supplier_name": hit["_source"].get("supplier_name", ""),
                "summary": hit["_source"].get("summary", ""),
            }
            for hit in raw["hits"]["hits"]
            if hit["_id"] != str(page.pk)
        ]
        if similar:
            return similar
    except SearchUnavailable as exc:
        logger.info("Similar products from the database: %s", exc)
    return _database_similar_products(page, size)


def _database_similar_products(page, size):
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


# --- Products newly matching a saved search (buyers/alerts.py) -------------------------------

ALERT_LIMIT = 200


class CannotMatchNow(Exception):
    """Neither engine can answer this saved search faithfully right now (Elasticsearch is
    down and the search uses filters the database cannot apply): try again next run."""


def newly_published_products(params, since, limit=ALERT_LIMIT):
    """Ids of live, public products that match a search (the same words and filters as the
    search page) and were first published after `since`, oldest first.

    The index stores the last publish date, which is never earlier than the first, so it
    narrows the candidates; the database then keeps those first published after `since`.
    """
    from registry.models import ProductPage

    clean_filters(params)
    try:
        candidates = _elasticsearch_newly_published(params, since, limit)
    except SearchUnavailable as exc:
        unsupported = [name for name in params.filters if name not in DATABASE_FACETS]
        if unsupported:
            raise CannotMatchNow(
                f"{exc}; the database cannot apply {', '.join(unsupported)}"
            ) from exc
        if params.filters.get("kind") and "product" not in params.filters["kind"]:
            return []
        words = params.query.split()[:MAX_DATABASE_WORDS]
        candidates = _apply_product_filters(_matching("product", words), params.filters)
        candidates = candidates.values_list("pk", flat=True)
    return list(
        ProductPage.objects.live()
        .public()
        .filter(pk__in=list(candidates), first_published_at__gt=since)
        .order_by("first_published_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _elasticsearch_newly_published(params, since, limit):
    builder = QueryBuilder(params, page_size=limit)
    body = {
        "query": {
            "bool": {
                "must": [builder.text_query()],
                "filter": [
                    *builder.filter_clauses(),
                    {"term": {"kind": "product"}},
                    {"range": {"published_at": {"gt": since.isoformat()}}},
                ],
            }
        },
        "size": limit,
        "_source": False,
        "sort": [{"published_at": {"order": "asc"}}, {"tiebreak": {"order": "asc"}}],
    }
    raw = _call("search", index=alias_name("product"), body=body)
    return [int(hit["_id"]) for hit in raw["hits"]["hits"]]
