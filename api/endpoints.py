"""The read endpoints of API v1: products, organisations, standards, categories, care
settings, case studies, guides, formularies, adoption statistics and the changes feed.

Every list is in order of permanent id and read page by page with opaque cursors, so a
client walking a list never sees a record twice or misses one that existed throughout.
The product list searched with `q` is in the search's order instead (api/product_search.py).
"""

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

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


def responses(schema):
    return {200: schema, 304: None, **ERROR_RESPONSES}


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


@router.get(
    "/products",
    response=responses(ProductPageOut),
    url_name="products",
    summary="List products",
    tags=["products"],
)
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


@router.get(
    "/products/{product_id}",
    response=responses(ProductDetailOut),
    url_name="product",
    summary="A product and all its proof",
    tags=["products"],
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


# --- Organisations, standards, categories, care settings -------------------------------------


@router.get(
    "/organisations",
    response=responses(OrganisationPageOut),
    url_name="organisations",
    summary="List organisations",
    tags=["organisations"],
)
def organisations(request: HttpRequest, params: Query[PageParams]):
    """NHS and care organisations (by ODS code where they have one) and suppliers."""
    queryset = records.with_updated_at(Organisation.objects.all(), ChangeKind.ORGANISATION)
    return page_of(request, queryset, params, ChangeKind.ORGANISATION, records.organisation_record)


@router.get(
    "/organisations/{organisation_id}",
    response=responses(OrganisationOut),
    url_name="organisation",
    summary="An organisation",
    tags=["organisations"],
)
def organisation(request: HttpRequest, organisation_id: int):
    queryset = records.with_updated_at(Organisation.objects.all(), ChangeKind.ORGANISATION)
    return one(
        request,
        queryset,
        organisation_id,
        ChangeKind.ORGANISATION,
        "organisation",
        records.organisation_record,
    )


@router.get(
    "/standards",
    response=responses(StandardPageOut),
    url_name="standards",
    summary="List standards",
    tags=["standards"],
)
def standards(request: HttpRequest, params: Query[PageParams]):
    """The standards catalogue, retired standards included (`is_active` false)."""
    queryset = records.with_updated_at(Standard.objects.all(), ChangeKind.STANDARD)
    return page_of(request, queryset, params, ChangeKind.STANDARD, records.standard_record)


@router.get(
    "/standards/{standard_id}",
    response=responses(StandardOut),
    url_name="standard",
    summary="A standard",
    tags=["standards"],
)
def standard(request: HttpRequest, standard_id: int):
    queryset = records.with_updated_at(Standard.objects.all(), ChangeKind.STANDARD)
    return one(
        request, queryset, standard_id, ChangeKind.STANDARD, "standard", records.standard_record
    )


VOCABULARIES = (
    ("categories", "category", Category, ChangeKind.CATEGORY, "category"),
    ("care-settings", "care_setting", CareSetting, ChangeKind.CARE_SETTING, "care setting"),
)


def _vocabulary_endpoints(path, name, model, kind, noun):
    @router.get(
        f"/{path}",
        response=responses(TermPageOut),
        url_name=f"{name}_list",
        summary=f"List {path.replace('-', ' ')}",
        tags=["vocabularies"],
        operation_id=f"list_{name}",
    )
    def listing(request: HttpRequest, params: Query[PageParams]):
        queryset = records.with_updated_at(model.objects.all(), kind)
        return page_of(request, queryset, params, kind, records.vocabulary_record)

    @router.get(
        f"/{path}/{{term_id}}",
        response=responses(TermOut),
        url_name=name,
        summary=f"A {noun}",
        tags=["vocabularies"],
        operation_id=f"get_{name}",
    )
    def detail(request: HttpRequest, term_id: int):
        queryset = records.with_updated_at(model.objects.all(), kind)
        return one(request, queryset, term_id, kind, noun, records.vocabulary_record)


for _vocabulary in VOCABULARIES:
    _vocabulary_endpoints(*_vocabulary)


# --- Case studies and guides ----------------------------------------------------------------


@router.get(
    "/case-studies",
    response=responses(CaseStudyPageOut),
    url_name="case_studies",
    summary="List case studies",
    tags=["case studies and guides"],
)
def case_studies(request: HttpRequest, params: Query[PageParams]):
    """How organisations adopted products, and what changed, in figures."""
    return page_of(
        request,
        records.case_study_queryset(),
        params,
        ChangeKind.CASE_STUDY,
        records.case_study_record,
    )


@router.get(
    "/case-studies/{case_study_id}",
    response=responses(CaseStudyOut),
    url_name="case_study",
    summary="A case study",
    tags=["case studies and guides"],
)
def case_study(request: HttpRequest, case_study_id: int):
    return one(
        request,
        records.case_study_queryset(),
        case_study_id,
        ChangeKind.CASE_STUDY,
        "case study",
        records.case_study_record,
    )


@router.get(
    "/guides",
    response=responses(GuidePageOut),
    url_name="guides",
    summary="List best-practice guides",
    tags=["case studies and guides"],
)
def guides(request: HttpRequest, params: Query[PageParams]):
    return page_of(
        request, records.guide_queryset(), params, ChangeKind.GUIDE, records.guide_record
    )


@router.get(
    "/guides/{guide_id}",
    response=responses(GuideOut),
    url_name="guide",
    summary="A best-practice guide",
    tags=["case studies and guides"],
)
def guide(request: HttpRequest, guide_id: int):
    return one(
        request, records.guide_queryset(), guide_id, ChangeKind.GUIDE, "guide", records.guide_record
    )


# --- Formularies -----------------------------------------------------------------------------


@router.get(
    "/formularies",
    response=responses(FormularyPageOut),
    url_name="formularies",
    summary="List local formularies",
    tags=["formularies"],
)
def formularies(request: HttpRequest, params: Query[PageParams]):
    """NHS and care organisations' own lists of the products they approve, with a note on
    each: those published by an organisation with a confirmed member."""
    return page_of(
        request,
        records.formulary_queryset(),
        params,
        ChangeKind.FORMULARY,
        records.formulary_record,
    )


@router.get(
    "/formularies/{formulary_id}",
    response=responses(FormularyOut),
    url_name="formulary",
    summary="A local formulary",
    tags=["formularies"],
)
def formulary(request: HttpRequest, formulary_id: int):
    return one(
        request,
        records.formulary_queryset(),
        formulary_id,
        ChangeKind.FORMULARY,
        "published formulary",
        records.formulary_record,
    )


# --- Statistics -----------------------------------------------------------------------------


@router.get(
    "/statistics/adoption",
    response=responses(AdoptionStatisticsOut),
    url_name="adoption_statistics",
    summary="Adoption in figures",
    tags=["statistics"],
)
def adoption_statistics(request: HttpRequest):
    """Confirmed adoptions of listed products, by NHS England region, category and scale."""
    request.api_last_modified = feed.latest_change(ChangeKind.PRODUCT)
    return records.adoption_statistics()


# --- The changes feed -----------------------------------------------------------------------

DETAIL_URL_NAMES = {
    ChangeKind.PRODUCT: ("api:product", "product_id"),
    ChangeKind.ORGANISATION: ("api:organisation", "organisation_id"),
    ChangeKind.CASE_STUDY: ("api:case_study", "case_study_id"),
    ChangeKind.GUIDE: ("api:guide", "guide_id"),
    ChangeKind.STANDARD: ("api:standard", "standard_id"),
    ChangeKind.CATEGORY: ("api:category", "term_id"),
    ChangeKind.CARE_SETTING: ("api:care_setting", "term_id"),
    ChangeKind.FORMULARY: ("api:formulary", "formulary_id"),
}


class ChangesParams(Schema):
    after: str | None = SchemaField(
        None,
        pattern=CURSOR_PATTERN,
        description="The `next` cursor of your last read; leave out to start from the first "
        "change ever recorded.",
    )
    limit: int = SchemaField(DEFAULT_CHANGES, ge=1, le=MAX_CHANGES, description="1 to 500.")


@router.get(
    "/changes",
    response=responses(ChangesOut),
    url_name="changes",
    summary="Changes feed",
    tags=["changes"],
)
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
