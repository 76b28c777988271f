"""The search service: what the page, the API and the alerts call.

`run_search` reads nothing from the request itself: it takes SearchParams (search/params.py),
keeps only filter values the registry knows, asks Elasticsearch (search/engine.py) and, when
that cannot answer, the database engine (search/database.py); formats nothing itself
(search/results.py does); and records the search for the scaling team. It never raises for
anything a user can type.
"""

import logging
import time

from django.db import transaction

from . import database, engine
from .client import SearchUnavailable
from .params import normalise_query
from .results import clean_filters, suggestion, suggestion_from_completion, unique_suggestions

logger = logging.getLogger(__name__)

AUTOCOMPLETE_SIZE = 8
AUTOCOMPLETE_MIN_LENGTH = 2


def run_search(params, channel="page", record=True):
    """Search with SearchParams; returns a SearchResponse from whichever engine answered.

    The page (search.views) and the JSON API (search.api) both call this, so they share
    semantics: the same words, filters, sort, pagination and notices.
    """
    started = time.perf_counter()
    params, vocabulary = clean_filters(params)
    try:
        response = engine.elasticsearch_search(params, vocabulary)
    except SearchUnavailable as exc:
        logger.warning("Search answered from the database: %s", exc)
        response = database.search(params, vocabulary)
    except Exception:
        # A bug here must not cost the user their search: log it loudly, answer anyway.
        logger.exception("Elasticsearch search failed unexpectedly; answering from the database")
        response = database.search(params, vocabulary)
    attach_proof(response.results)
    response.took_ms = round((time.perf_counter() - started) * 1000)
    if record:
        record_search(response, channel)
    return response


def attach_proof(results):
    """Product results carry their badges as proof.rules reads them today, from the
    database, so a standard that expired since the product was indexed shows at once."""
    from proof.loading import standings_for_ids

    ids = [result["id"] for result in results if result.get("kind") == "product"]
    found = standings_for_ids(ids) if ids else {}
    for result in results:
        standing = found.get(int(result["id"])) if str(result.get("id")).isdigit() else None
        if standing is None:
            continue
        result.update(
            proof=standing.as_dict(),
            dtac_passed=standing.dtac.passed,
            dtac_state=standing.dtac.state,
            dtac_reason=standing.dtac.reason,
            adoption_count=standing.adopters,
            standards_met_count=standing.standards_met_count,
        )


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


def autocomplete(text, size=AUTOCOMPLETE_SIZE):
    """Suggestions as someone types: [{label, type, type_label, url}], at most `size`.

    Products and guides link to their page; suppliers, organisations and categories link
    to a search for them. Empty for fewer than two characters.
    """
    text = normalise_query(text)[:100]
    if len(text) < AUTOCOMPLETE_MIN_LENGTH:
        return []
    try:
        raw = engine.autocomplete_raw(text, size)
    except SearchUnavailable as exc:
        logger.info("Autocomplete from the database: %s", exc)
        return database.autocomplete(text, size)
    suggestions = []
    for option in (raw.get("suggest") or {}).get("names", [{}])[0].get("options", []):
        suggestions.append(suggestion_from_completion(option))
    for hit in raw["hits"]["hits"]:
        source = hit["_source"]
        suggestions.append(suggestion(source.get("kind"), source["title"], source.get("url")))
    return unique_suggestions(suggestions, size)


# --- Products newly matching a saved search (search/alerts.py) -------------------------------

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

    params, _ = clean_filters(params)
    try:
        candidates = engine.newly_published_ids(params, since, limit)
    except SearchUnavailable as exc:
        unsupported = [name for name in params.filters if name not in database.DATABASE_FACETS]
        if unsupported:
            raise CannotMatchNow(
                f"{exc}; the database cannot apply {', '.join(unsupported)}"
            ) from exc
        if params.filters.get("kind") and "product" not in params.filters["kind"]:
            return []
        candidates = database.newly_published_candidates(params)
    return list(
        ProductPage.objects.live()
        .public()
        .filter(pk__in=list(candidates), first_published_at__gt=since)
        .order_by("first_published_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
