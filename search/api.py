"""Search and autocomplete in the registry's open JSON API (api/v1.py mounts this router
under /api/v1/).

Search has the same semantics as the search page because both call
search.service.run_search. When the search engine is unavailable the answer comes from the
database (`engine` is `database`, `degraded` is true), with the same filters and fields but
simpler matching.
"""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .params import MAX_QUERY_LENGTH, PAGE_SIZE, SearchParams
from .service import autocomplete as autocomplete_suggestions
from .service import run_search

router = Router(tags=["search"])

FACET_HELP = "Repeat the parameter to choose several values (OR); different filters combine (AND)."


class SearchFilters(Schema):
    q: str = Field(
        "",
        description=f"Words to search for. Longer than {MAX_QUERY_LENGTH} characters is cut "
        "short, with a notice. Typos, plurals, acronyms (EPR, A&E, MSK, GP...) are understood.",
    )
    spelling: str = Field(
        "",
        description="exact: search the words as typed. Otherwise a word the registry holds "
        "nowhere may be corrected when the words as typed find nothing (see corrected).",
    )
    kind: list[str] = Field(
        [], description="Type of content: product, case_study or guide. " + FACET_HELP
    )
    category: list[str] = Field([], description="Category slug. " + FACET_HELP)
    care_setting: list[str] = Field([], description="Care setting slug. " + FACET_HELP)
    clinical_area: list[str] = Field([], description="Clinical area tag. " + FACET_HELP)
    esf_tier: list[str] = Field([], description="NICE ESF tier: A, B or C. " + FACET_HELP)
    standard: list[str] = Field(
        [], description="Code of a standard currently met, such as DCB0129. " + FACET_HELP
    )
    dtac: list[str] = Field([], description="DTAC result: passed or not_passed.")
    integration: list[str] = Field(
        [], description="Interoperability standard code, such as GP_CONNECT. " + FACET_HELP
    )
    region: list[str] = Field(
        [], description="NHS England region of an adopting organisation. " + FACET_HELP
    )
    adoption: list[str] = Field(
        [],
        description="Number of confirmed adopting organisations: none, 1-4, 5-19 or 20+. "
        + FACET_HELP,
    )
    deployment: list[str] = Field([], description="Deployment model. " + FACET_HELP)
    sort: str = Field(
        "relevance",
        description="relevance, adopted (most adopted), assessed (recently assessed) or title "
        "(A to Z). Equal scores always keep the same order.",
    )
    page: int = Field(
        1,
        description=f"Page number, {PAGE_SIZE} results a page. Past the last page, the last "
        "page is returned with a notice.",
    )


class ResultOut(Schema):
    id: str
    kind: str
    kind_label: str
    title: str
    title_html: str = Field(description="The title, HTML-escaped, with <mark> around matches.")
    url: str
    summary: str
    summary_html: str = Field(description="The summary, HTML-escaped, with <mark> tags.")
    snippet_html: str = Field(description="Matching text from elsewhere, such as a case study.")
    snippet_label: str
    supplier_name: str
    organisation_name: str
    category_name: str
    esf_tier: str
    dtac_passed: bool | None = Field(None, description="True while the DTAC state is passed.")
    dtac_state: str | None = Field(
        None, description="passed, lapsed, not_passed or not_assessed, as of today."
    )
    dtac_reason: str | None = Field(None, description="Why the DTAC state is what it is.")
    adoption_count: int | None = None
    standards_met_count: int | None = None
    last_assessed: str | None = None


class FacetOptionOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class FacetOut(Schema):
    name: str
    label: str
    selected_count: int
    options: list[FacetOptionOut]


class SearchOut(Schema):
    query: str
    total: int
    page: int
    num_pages: int
    page_size: int
    sort: str
    engine: Literal["elasticsearch", "database"]
    degraded: bool
    notices: list[str]
    did_you_mean: str | None = Field(
        None, description="A correction for words the registry holds nowhere, if there is one."
    )
    corrected: bool = Field(
        False,
        description="True when the words as typed found nothing and the results are for "
        "did_you_mean instead.",
    )
    filters: dict[str, list[str]]
    results: list[ResultOut]
    facets: list[FacetOut]


class SuggestionOut(Schema):
    label: str
    type: str = Field(description="product, supplier, category, case_study, organisation, guide")
    type_label: str
    url: str


class AutocompleteOut(Schema):
    query: str
    suggestions: list[SuggestionOut]


@router.get(
    "/search",
    response=SearchOut,
    url_name="search",
    summary="Search products, case studies and guides",
)
def search(request: HttpRequest, filters: Query[SearchFilters]):
    """Full-text search with facet counts. Unknown filter values are ignored with a notice."""
    # The raw query string is read exactly as the page reads it, so the two cannot drift;
    # the schema above documents and validates it.
    params = SearchParams.from_request_data(request.GET)
    response = run_search(params, channel="api")
    body = response.as_json()
    for result in body["results"]:
        result["url"] = request.build_absolute_uri(result["url"]) if result["url"] else ""
    return body


@router.get(
    "/autocomplete",
    response=AutocompleteOut,
    url_name="autocomplete",
    summary="Suggestions as someone types",
)
def autocomplete(request: HttpRequest, q: str = ""):
    """Products, suppliers, categories, case studies and guides whose names start with the
    words typed. Needs at least two characters."""
    return {"query": q, "suggestions": autocomplete_suggestions(q)}
