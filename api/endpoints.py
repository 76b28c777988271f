"""The read endpoints of API v1: products, organisations, standards, categories, care
settings, case studies, guides, formularies, adoption statistics and the changes feed.

Every list is in order of permanent id and read page by page with opaque cursors, so a
client walking a list never sees a record twice or misses one that existed throughout.
The product list searched with `q` is in the search's order instead (api/product_search.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field as SchemaField
from ninja import Path, Query, Router, Schema

from assessments.models import Standard
from registry.models import CareSetting, Category, Organisation
from search.params import normalise_query

from . import changes as feed
from . import product_search, records
from .errors import ERROR_RESPONSES, error_response
from .models import Change, ChangeKind
from .schemas import (
    CURSOR_PATTERN,
    AdoptionStatisticsOut,
    CaseStudyOut,
    CaseStudyPageOut,
    ChangesOut,
    FormularyOut,
    FormularyPageOut,
    GuideOut,
    GuidePageOut,
    OrganisationOut,
    OrganisationPageOut,
    PageParams,
    ProductDetailOut,
    ProductFilters,
    ProductPageOut,
    StandardOut,
    StandardPageOut,
    TermOut,
    TermPageOut,
)

router = Router()
LIST_CURSOR = "after"
CHANGES_CURSOR = "change"
MAX_CHANGES = 500
DEFAULT_CHANGES = 100


def endpoint(path, schema, url_name, summary, tag, **options):
    """A GET endpoint of API v1: `schema` on 200, 304 when the client's copy is current, and
    the errors any endpoint may answer with."""
    return router.get(
        path,
        response={200: schema, 304: None, **ERROR_RESPONSES},
        url_name=url_name,
        summary=summary,
        tags=[tag],
        **options,
    )


def changed_since(queryset, kind, since):
    if since is None:
        return queryset
    return queryset.filter(
        pk__in=Change.objects.filter(kind=kind, recorded_at__gte=since).values("object_id")
    )


def page_of(request, queryset, params: PageParams, kind, make_record):
    """One page of a list, in id order, with the cursor of the next page."""
    request.api_last_modified = feed.latest_change(kind)
    queryset = changed_since(queryset, kind, params.updated_since)
    total = queryset.count()
    if params.cursor:
        try:
            after = feed.decode_cursor(LIST_CURSOR, params.cursor)
        except feed.BadCursor as exc:
            return error_response(400, str(exc), [{"field": "cursor", "message": str(exc)}])
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("pk")[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return {
        "items": [make_record(request, row) for row in rows],
        "next": feed.encode_cursor(LIST_CURSOR, rows[-1].pk) if more else None,
        "total": total,
    }


def one(request, queryset, pk, kind, noun, make_record):
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise Http404(f"There is no {noun} with id {pk}.")
    request.api_last_modified = feed.latest_change(kind, pk)
    return make_record(request, record)


# --- Products -------------------------------------------------------------------------------


@endpoint("/products", ProductPageOut, "products", "List products", "products")
def products(request: HttpRequest, filters: Query[ProductFilters]):
    """Products listed in the registry, with the search page's filters, and with `q` the
    products matching those words as /search finds them, best match first. Each item has
    the DTAC state with its reason and the standards met today; the detail adds all the
    proof."""
    if normalise_query(filters.q):
        return matching_products(request, filters)
    queryset = records.filter_products(records.product_queryset(), filters)
    return page_of(request, queryset, filters, ChangeKind.PRODUCT, records.product_summary)


def matching_products(request, filters):
    offset = 0
    if filters.cursor:
        try:
            offset = feed.decode_cursor(product_search.SEARCH_CURSOR, filters.cursor)
        except feed.BadCursor as exc:
            return error_response(400, str(exc), [{"field": "cursor", "message": str(exc)}])
    request.api_last_modified = feed.latest_change(ChangeKind.PRODUCT)
    return product_search.matching_page(request, filters, offset)


@endpoint(
    "/products/{product_id}", ProductDetailOut, "product", "A product and all its proof", "products"
)
def product(request: HttpRequest, product_id: int):
    """Evidence, every compliance row with its effective status and expiry, confirmed
    adoptions, case studies, and the DTAC state with its reason."""
    return one(
        request,
        records.product_queryset(detail=True),
        product_id,
        ChangeKind.PRODUCT,
        "product",
        records.product_detail,
    )


# --- Organisations, standards, vocabularies, case studies, guides, formularies ---------------


@dataclass(frozen=True)
class Listing:
    """A kind of record listed at /PATH, page by page in id order, and shown one by one at
    /PATH/{ID_NAME}."""

    path: str
    list_name: str  # URL name of the list
    name: str  # URL name of one record
    id_name: str  # the path parameter that holds its id
    noun: str  # what the 404 says there is none of
    kind: ChangeKind
    queryset: Callable
    make_record: Callable
    schemas: tuple  # (the page's, one record's)
    summaries: tuple  # (the list's, one record's)
    tag: str
    description: str = ""  # of the list
    operation_ids: tuple = ()  # default: the module's name and the URL names


def _with_updated_at(model, kind):
    return lambda: records.with_updated_at(model.objects.all(), kind)


def _vocabulary(path, name, model, kind, noun):
    return Listing(
        path,
        f"{name}_list",
        name,
        "term_id",
        noun,
        kind,
        _with_updated_at(model, kind),
        records.vocabulary_record,
        (TermPageOut, TermOut),
        (f"List {path.replace('-', ' ')}", f"A {noun}"),
        "vocabularies",
        operation_ids=(f"list_{name}", f"get_{name}"),
    )


LISTINGS = (
    Listing(
        "organisations",
        "organisations",
        "organisation",
        "organisation_id",
        "organisation",
        ChangeKind.ORGANISATION,
        _with_updated_at(Organisation, ChangeKind.ORGANISATION),
        records.organisation_record,
        (OrganisationPageOut, OrganisationOut),
        ("List organisations", "An organisation"),
        "organisations",
        "NHS and care organisations (by ODS code where they have one) and suppliers.",
    ),
    Listing(
        "standards",
        "standards",
        "standard",
        "standard_id",
        "standard",
        ChangeKind.STANDARD,
        _with_updated_at(Standard, ChangeKind.STANDARD),
        records.standard_record,
        (StandardPageOut, StandardOut),
        ("List standards", "A standard"),
        "standards",
        "The standards catalogue, retired standards included (`is_active` false).",
    ),
    _vocabulary("categories", "category", Category, ChangeKind.CATEGORY, "category"),
    _vocabulary(
        "care-settings", "care_setting", CareSetting, ChangeKind.CARE_SETTING, "care setting"
    ),
    Listing(
        "case-studies",
        "case_studies",
        "case_study",
        "case_study_id",
        "case study",
        ChangeKind.CASE_STUDY,
        records.case_study_queryset,
        records.case_study_record,
        (CaseStudyPageOut, CaseStudyOut),
        ("List case studies", "A case study"),
        "case studies and guides",
        "How organisations adopted products, and what changed, in figures.",
    ),
    Listing(
        "guides",
        "guides",
        "guide",
        "guide_id",
        "guide",
        ChangeKind.GUIDE,
        records.guide_queryset,
        records.guide_record,
        (GuidePageOut, GuideOut),
        ("List best-practice guides", "A best-practice guide"),
        "case studies and guides",
    ),
    Listing(
        "formularies",
        "formularies",
        "formulary",
        "formulary_id",
        "published formulary",
        ChangeKind.FORMULARY,
        records.formulary_queryset,
        records.formulary_record,
        (FormularyPageOut, FormularyOut),
        ("List local formularies", "A local formulary"),
        "formularies",
        "NHS and care organisations' own lists of the products they approve, with a note on\n"
        "each: those published by an organisation with a confirmed member.",
    ),
)


def _listing_endpoints(listing):
    list_operation, operation = listing.operation_ids or (
        f"api_endpoints_{listing.list_name}",
        f"api_endpoints_{listing.name}",
    )

    @endpoint(
        f"/{listing.path}",
        listing.schemas[0],
        listing.list_name,
        listing.summaries[0],
        listing.tag,
        description=listing.description,
        operation_id=list_operation,
    )
    def page(request: HttpRequest, params: Query[PageParams]):
        return page_of(request, listing.queryset(), params, listing.kind, listing.make_record)

    @endpoint(
        f"/{listing.path}/{{{listing.id_name}}}",
        listing.schemas[1],
        listing.name,
        listing.summaries[1],
        listing.tag,
        operation_id=operation,
    )
    def detail(request: HttpRequest, pk: int = Path(..., alias=listing.id_name)):
        return one(request, listing.queryset(), pk, listing.kind, listing.noun, listing.make_record)


for _listing in LISTINGS:
    _listing_endpoints(_listing)


# --- Statistics -----------------------------------------------------------------------------


@endpoint(
    "/statistics/adoption",
    AdoptionStatisticsOut,
    "adoption_statistics",
    "Adoption in figures",
    "statistics",
)
def adoption_statistics(request: HttpRequest):
    """Confirmed adoptions of listed products, by NHS England region, category and scale."""
    request.api_last_modified = feed.latest_change(ChangeKind.PRODUCT)
    return records.adoption_statistics()


# --- The changes feed -----------------------------------------------------------------------

DETAIL_URL_NAMES = {
    ChangeKind.PRODUCT: ("api:product", "product_id"),
    **{listing.kind: (f"api:{listing.name}", listing.id_name) for listing in LISTINGS},
}


class ChangesParams(Schema):
    after: str | None = SchemaField(
        None,
        pattern=CURSOR_PATTERN,
        description="The `next` cursor of your last read; leave out to start from the first "
        "change ever recorded.",
    )
    limit: int = SchemaField(DEFAULT_CHANGES, ge=1, le=MAX_CHANGES, description="1 to 500.")


@endpoint("/changes", ChangesOut, "changes", "Changes feed", "changes")
def changes(request: HttpRequest, params: Query[ChangesParams]):
    """Every create, update, unpublish and delete of public data, oldest first. Replaying
    it from the start (keep the record at `url` on created and updated, drop it on
    unpublished and deleted) gives an exact copy of what the API serves."""
    after = 0
    if params.after:
        try:
            after = feed.decode_cursor(CHANGES_CURSOR, params.after)
        except feed.BadCursor as exc:
            return error_response(400, str(exc), [{"field": "after", "message": str(exc)}])
    feed.record_expiries()
    feed.sequence()
    rows = list(Change.objects.filter(seq__gt=after).order_by("seq")[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    items = []
    for row in rows:
        url_name, argument = DETAIL_URL_NAMES[row.kind]
        items.append(
            {
                "cursor": feed.encode_cursor(CHANGES_CURSOR, row.seq),
                "kind": row.kind,
                "id": row.object_id,
                "action": row.action,
                "recorded_at": row.recorded_at,
                "url": request.build_absolute_uri(
                    reverse(url_name, kwargs={argument: row.object_id})
                ),
            }
        )
    next_cursor = items[-1]["cursor"] if rows else params.after or None
    return {"changes": items, "next": next_cursor, "more": more}
