"""Text search on the product list (`/api/v1/products?q=...`).

With `q`, the list means what `/api/v1/search` means for the same words and filters: it
calls search.service.run_search, which picks the engine the same way (Elasticsearch, or
the database when Elasticsearch cannot answer) and applies the same relaxed pass,
correction and notices. Only products are asked for, and each is then served as the
product list serves it, with its proof, from the database.

The order is the search's: best match first, and equal scores always in the same order,
so a cursor is a position in that order. `updated_since` leaves out, page by page, the
matches that have not changed since (a page may hold fewer than `limit`). The search
answers `PAGE_SIZE` results a call; a page of the list takes as many calls as it spans.
"""

from search.params import FACETS, MAX_RESULT_WINDOW, PAGE_SIZE, SearchParams
from search.service import run_search

from . import changes as feed
from . import records

SEARCH_CURSOR = "match"
# The search's filters, which the product list has under the same names; the list holds
# only products, so not the kind of content.
FILTER_NAMES = tuple(facet.name for facet in FACETS if facet.name != "kind")


def search_params(filters, search_page):
    data = {"q": filters.q, "kind": ["product"], "page": str(search_page)}
    for name in FILTER_NAMES:
        data[name] = list(getattr(filters, name, ()))
    return SearchParams.from_request_data(data)


def matching_page(request, filters, offset):
    """{"items", "next", "total", "search"} for `limit` matches from `offset` on, with the
    cursor of the next page (None after the last match the search can page to)."""
    first_page = offset // PAGE_SIZE + 1
    ranked = []
    search_page = first_page
    while True:
        response = run_search(
            search_params(filters, search_page),
            channel="api",
            record=offset == 0 and search_page == 1,  # one search, however many pages read
        )
        reachable = min(response.total, MAX_RESULT_WINDOW)
        if response.params.page != search_page:
            break  # past the last page: the search answered the last one instead
        ranked += [int(result["id"]) for result in response.results]
        search_page += 1
        if (search_page - 1) * PAGE_SIZE >= min(offset + filters.limit, reachable):
            break
    start = offset - (first_page - 1) * PAGE_SIZE
    wanted = ranked[start : start + filters.limit]
    products = records.product_queryset().filter(pk__in=wanted)
    if filters.updated_since is not None:
        products = products.filter(updated_at__gte=filters.updated_since)
    found = {product.pk: product for product in products}
    end = offset + filters.limit
    body = response.as_json()
    return {
        # Left out: a product unpublished since the index last heard of it, and with
        # updated_since, those that have not changed since.
        "items": [records.product_summary(request, found[pk]) for pk in wanted if pk in found],
        "next": feed.encode_cursor(SEARCH_CURSOR, end) if end < reachable else None,
        "total": reachable,
        "search": {
            "query": body["query"],
            "engine": body["engine"],
            "degraded": body["degraded"],
            "notices": body["notices"],
            "did_you_mean": body["did_you_mean"],
            "corrected": body["corrected"],
        },
    }
