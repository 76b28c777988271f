"""The calls to Elasticsearch: the third stage of a search, and the only module that sends
a query to it.

Every failure (not configured, refused, timed out, no index yet) becomes one
`SearchUnavailable`, which `search.service` answers by asking the database engine
(`search.database`) instead. After a connection failure this module skips Elasticsearch
for a few seconds rather than making every request wait for the timeout.
"""

import dataclasses
import logging
import threading
import time

from django.conf import settings
from elasticsearch import ApiError, NotFoundError, TransportError

from .analysis import known_words
from .client import SearchNotConfigured, SearchUnavailable, get_client, is_configured
from .documents import alias_name
from .kinds import KINDS
from .params import PAGE_SIZE
from .query import (
    CLOSE,
    SUGGEST_MIN_WORD_LENGTH,
    SUGGESTERS,
    WIDE,
    QueryBuilder,
    autocomplete_body,
    similar_products_body,
    typed_words,
)
from .results import (
    SearchResponse,
    did_you_mean_from_suggest,
    facet_counts_from_aggregations,
    format_facets,
    format_hit,
    page_url,
    words_in_index,
)

logger = logging.getLogger(__name__)

ELASTICSEARCH = "elasticsearch"
# After a connection failure or timeout, skip Elasticsearch for this long instead of making
# every search wait for the timeout while it is down.
RETRY_AFTER_SECONDS = 5.0

_down_until = {}
_down_lock = threading.Lock()


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


# --- A search -------------------------------------------------------------------------------


def elasticsearch_search(params, vocabulary):
    """The user's words first, most of them required. When they find nothing: the words
    corrected, if some word is one the index holds nowhere ("Showing results for ...",
    with a link to search the words as typed); else fewer of the words required (the
    relaxed pass, with a notice); else typos forgiven (fuzziness AUTO, the costliest
    search there is, so the last resort). A correction is only offered for words absent
    from the index, and only when the user's own words found nothing, so it never replaces
    what they found. With `spelling=exact` nothing is corrected or forgiven."""
    builder = QueryBuilder(params)
    raw = _search(builder, params.page, suggest=_may_need_correcting(params))
    did_you_mean = ""
    corrected = False
    notice = ""
    found = _total(raw)
    if params.query and found < FEW_RESULTS and len(builder.matching_words()) > 1 and found:
        # One or two results with most of the words: those first, then the best matches
        # for some of them (they score highest in the relaxed pass, having more words).
        relaxed = QueryBuilder(params, relaxed=True)
        relaxed_raw = _search(relaxed, params.page)
        if _total(relaxed_raw) > found:
            builder, raw = relaxed, relaxed_raw
    if params.query and not found:
        for second in _later_passes(params, builder, raw.get(SUGGESTION)):
            second_raw = _search(second, params.page)
            if _total(second_raw):
                builder, raw = second, second_raw
                did_you_mean = second.params.query if second.params.query != params.query else ""
                corrected = bool(did_you_mean)
                if second.relaxed:
                    notice = RELAXED_NOTICE
                break
    total = _total(raw)
    placed = params.on_page(total)
    if placed.page != params.page:
        raw = _search(builder, placed.page)
    params = placed.with_notice(notice) if notice else placed
    counts = facet_counts_from_aggregations(raw.get("aggregations"))
    return SearchResponse(
        params=params,
        results=[format_hit(hit) for hit in raw["hits"]["hits"]],
        total=total,
        engine=ELASTICSEARCH,
        facets=format_facets(counts, params, vocabulary),
        did_you_mean=did_you_mean,
        corrected=corrected,
        page_size=PAGE_SIZE,
        sort=builder.effective_sort(),
    )


# Fewer results than this with most of the words: the relaxed pass adds the best matches for
# some of them after those.
FEW_RESULTS = 3
RELAXED_NOTICE = "No results had all of your words, so these results have some of them."


def _later_passes(params, first, suggestion=None):
    """The searches to try, in order, when the words as typed find nothing: the words
    corrected, with the same filters, order and page (the response names the correction),
    when a word is one the index holds nowhere and it holds one close to it, so that
    "pallative care" finds palliative care rather than everything about care; some of the
    words (a correctly spelt word the registry never uses is never "corrected": the
    others still find something); the words with typos forgiven."""
    corrections = {} if params.exact_spelling else _did_you_mean(first, suggestion)
    close, wide = corrections.get(CLOSE), corrections.get(WIDE)
    if close:
        yield QueryBuilder(dataclasses.replace(params, query=close))
    if len(first.matching_words()) > 1:
        yield QueryBuilder(params, relaxed=True)
    if wide and wide != close:
        yield QueryBuilder(dataclasses.replace(params, query=wide))
    if not params.exact_spelling:
        yield QueryBuilder(params, fuzzy=True)


def _total(raw):
    return raw["hits"]["total"]["value"]


SUGGESTION = "suggestion"


def _search(builder, page, suggest=False):
    """The page of hits and the facet counts with the number found, in one multi-search:
    Elasticsearch runs them side by side, and caches the counts (see
    QueryBuilder.facets_body). Returns the hits' answer with the counts' `aggregations` and
    total added. With `suggest`, the did-you-mean request goes in the same multi-search
    (its answer under SUGGESTION, None if it failed), so a misspelt search that finds
    nothing is corrected one round trip sooner."""
    header = {"index": ",".join(builder.indices()), "ignore_unavailable": True}
    searches = [header, builder.body(page=page), header, builder.facets_body()]
    if suggest:
        searches += [header, builder.suggestion_body()]
    raw = _call("msearch", searches=searches)
    hits, facets, *suggestion = raw["responses"]
    for answer in (hits, facets):
        if "error" in answer:
            error = answer["error"]
            reason = error.get("reason", error) if isinstance(error, dict) else error
            raise SearchUnavailable(f"Elasticsearch refused the search: {reason}")
    if not hits.get("_shards", {}).get("total"):
        raise SearchUnavailable("none of the search aliases exist yet")
    answer = {
        **hits,
        "hits": {**hits["hits"], "total": facets["hits"]["total"]},
        "aggregations": facets.get("aggregations"),
    }
    if suggestion:
        answer[SUGGESTION] = None if "error" in suggestion[0] else suggestion[0]
        if answer[SUGGESTION] is not None:
            _remember_held(answer[SUGGESTION])
    return answer


# Words the index was seen to hold, so that a search made only of such words does not ask for
# a did-you-mean beside its first request (the index rarely loses a word; when it does, the
# correction is asked for after the search finds nothing, as before). Bounded: cleared when
# full.
_held_words = set()
_HELD_WORDS_LIMIT = 50_000


def _remember_held(answer):
    held = words_in_index(answer.get("aggregations"))
    if len(_held_words) + len(held) > _HELD_WORDS_LIMIT:
        _held_words.clear()
    _held_words.update(held)


def _may_need_correcting(params):
    """Whether a word typed could be one the index holds nowhere: one the synonyms do not
    name and the index was not seen to hold. Such a search asks for its did-you-mean in
    its first request."""
    if not params.query or params.exact_spelling:
        return False
    known = known_words()
    return any(
        word not in known and word not in _held_words
        for word in typed_words(params.query)
        if len(word) >= SUGGEST_MIN_WORD_LENGTH
    )


def _did_you_mean(builder, answer=None):
    """{CLOSE: the words corrected one edit away, WIDE: up to two}, each '' when there is
    nothing to correct: from `answer` when the first request brought it, else one
    request."""
    raw = answer
    if raw is None:
        try:
            raw = _call(
                "search",
                index=builder.indices(),
                body=builder.suggestion_body(),
                ignore_unavailable=True,
            )
        except SearchUnavailable as exc:
            logger.info("No did-you-mean suggestion: %s", exc)
            return {}
        _remember_held(raw)
    known = known_words() | words_in_index(raw.get("aggregations"))
    absent = words_in_index(raw.get("aggregations"), held=False)
    suggest = raw.get("suggest") or {}
    return {
        name: did_you_mean_from_suggest(
            builder.params.query,
            {name: suggest.get(name)},
            known,
            # The reading one edit away is tried before fewer words: only when it reads
            # every unknown word.
            every=absent if name == CLOSE else frozenset(),
        )
        for name in SUGGESTERS
    }


# --- Autocomplete, similar products, saved searches -----------------------------------------


def autocomplete_raw(text, size):
    """The completion suggestions and product-name prefix hits for `text`."""
    return _call(
        "search",
        index=[alias_name(kind) for kind in KINDS],
        body=autocomplete_body(text, size),
        ignore_unavailable=True,
    )


def similar_products(page, size=4):
    """Products like this one, for its product page: [{title, url, supplier_name, summary}].

    From the index (more_like_this on what it does, for whom, and where); from the same
    category in the database (search.database) when the index cannot answer. Never
    includes the page itself.
    """
    from .database import similar_products as database_similar_products

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
    return database_similar_products(page, size)


def newly_published_ids(params, since, limit):
    """Ids of products matching the search whose last publish is after `since`, oldest
    first (the index holds the last publish date, never earlier than the first)."""
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
