"""The search page. It reads the request, calls the search service and lays out the answer;
the query, the engine call and the formatting live in query.py, engine.py and results.py.

The page works as a plain GET form. With JavaScript, static_src/search/search.js asks for
`?partial=results` to swap the filters and results in place when a filter changes.
"""

import hashlib
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from registry.models import ProductIndexPage
from registry.pagination import page_links

from .params import FACETS, MAX_RESULT_WINDOW, PAGE_SIZE, SORTS, SPELLING_EXACT, SearchParams
from .results import DEGRADED_DETAIL, DEGRADED_HEADING, facet_vocabulary
from .service import run_search

PARTIAL_RESULTS = "results"


def search(request):
    params = SearchParams.from_request_data(request.GET)
    response = run_search(params, channel="page", record=first_in_session(request, params))
    context = search_context(response)
    if request.GET.get("partial") == PARTIAL_RESULTS:
        return render(request, "search/includes/results_region.html", context)
    return render(request, "search/search.html", context)


#: The searches (words, or filters when there are no words) this session has logged already.
LOGGED_SEARCHES_SESSION_KEY = "logged_searches"
LOGGED_SEARCHES_KEPT = 100


def first_in_session(request, params):
    """Whether to log this search: once per visitor and words. Reloads (after adding to the
    comparison or shortlist), other pages and other orders of the same search are not new
    searches. Only a short hash is kept, in the visitor's own session; the log itself still
    holds nothing about who searched."""
    if params.is_empty:
        return False
    what = " ".join(params.query.lower().split()) or repr(
        sorted((name, sorted(v)) for name, v in params.filters.items())
    )
    digest = hashlib.sha256(what.encode()).hexdigest()[:16]
    logged = request.session.get(LOGGED_SEARCHES_SESSION_KEY, [])
    if digest in logged:
        return False
    request.session[LOGGED_SEARCHES_SESSION_KEY] = [*logged, digest][-LOGGED_SEARCHES_KEPT:]
    return True


def search_href(params, **changes):
    items = params.as_query_items(**changes)
    base = reverse("search")
    return f"{base}?{urlencode(items)}" if items else base


def search_context(response):
    params = response.params
    return {
        "response": response,
        "query": params.query,
        # Where the compare and shortlist buttons on each result come back to.
        "return_to": search_href(params, page=params.page),
        "return_query": urlencode(params.as_query_items()),
        "results": response.results,
        "filter_panel": filter_panel(response.facets),
        "pagination": pagination(response),
        "active_filters": active_filters(response),
        "clear_filters_href": search_href(params, filters={}) if params.has_filters else "",
        "did_you_mean_href": search_href(params, q=response.did_you_mean)
        if response.did_you_mean
        else "",
        # The results are for a correction: the words as typed, never corrected.
        "exact_spelling_href": search_href(params, spelling=SPELLING_EXACT)
        if response.corrected
        else "",
        "sorts": [
            {"value": value, "label": label, "selected": value == response.sort}
            for value, label in SORTS.items()
        ],
        "browse_categories": browse_categories() if not response.results else [],
        "searched": not params.is_empty,
        "degraded_heading": DEGRADED_HEADING,
        "degraded_detail": DEGRADED_DETAIL,
        "notices": list(response.notices),
    }


# The first few facets start open; any with a value chosen are open too.
OPEN_FACETS = 3


def filter_panel(facets):
    """The facets as filters.html lays them out, with each checkbox's id and count already
    as text. A page has well over a hundred checkboxes, and the template engine is slowest
    at exactly this: looking up and formatting numbers inside a loop."""
    return [
        {
            **facet,
            "open": bool(facet["selected_count"]) or position < OPEN_FACETS,
            "options": [
                {
                    **option,
                    "input_id": f"filter-{facet['name']}-{number}",
                    "count_text": f"{option['count']:,}",
                }
                for number, option in enumerate(facet["options"], start=1)
            ],
        }
        for position, facet in enumerate(facets)
    ]


def pagination(response):
    """What includes/pagination.html needs, with links that keep the search and filters."""
    window = min(response.total, MAX_RESULT_WINDOW)
    paginator = Paginator(range(window), PAGE_SIZE)
    page_obj = paginator.get_page(response.page)
    params = response.params
    return page_links(page_obj, lambda number: search_href(params, page=number))


def active_filters(response):
    """Each chosen filter value with a link that removes just that value."""
    params = response.params
    labels = {
        facet["name"]: {option["value"]: option["label"] for option in facet["options"]}
        for facet in response.facets
    }
    chosen = []
    for facet in FACETS:
        for value in params.selected(facet.name):
            remaining = dict(params.filters)
            remaining[facet.name] = tuple(v for v in params.selected(facet.name) if v != value)
            chosen.append(
                {
                    "facet": facet.label,
                    "label": labels.get(facet.name, {}).get(value, value),
                    "href": search_href(params, filters=remaining),
                }
            )
    return chosen


def browse_categories():
    """Links to the category listings, offered when a search finds nothing."""
    index = ProductIndexPage.objects.live().first()
    if index is None:
        return []
    categories = facet_vocabulary().get("category", {})
    base = index.url
    if not base:
        return []
    return [
        {"label": name, "href": base + index.reverse_subpage("category", kwargs={"slug": slug})}
        for slug, name in categories.items()
    ]
