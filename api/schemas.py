"""The shapes the API answers with, as the OpenAPI document describes them."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, create_model

from registry.choices import DeploymentModel, Region

RegionValue = Literal.__getitem__(tuple(Region.values))
DeploymentValue = Literal.__getitem__(tuple(DeploymentModel.values))

CURSOR_HELP = (
    "Opaque: pass back the `next` value of the previous page to read the next one. Do not "
    "build or change one."
)
LIMIT_HELP = "How many records a page, 1 to 100."
UPDATED_SINCE_HELP = (
    "Only records changed at or after this time (ISO 8601, such as 2026-01-31T00:00:00Z). "
    "To keep a copy exactly in step, read /changes instead."
)


def iso_datetime(value):
    """Only an ISO 8601 date and time: not a number of seconds, which pydantic would take."""
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("Give a date and time such as 2026-01-31T00:00:00Z.")
    try:
        parsed = datetime.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=datetime.UTC)
        # In UTC: the database refuses offsets beyond its range (+20:19 is valid ISO 8601).
        return parsed.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise ValueError("Give a date and time such as 2026-01-31T00:00:00Z.") from None


IsoDateTime = Annotated[datetime.datetime, BeforeValidator(iso_datetime)]
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"
MAX_LIMIT = 100
DEFAULT_LIMIT = 50


class PageParams(Schema):
    cursor: str | None = Field(
        None, description=CURSOR_HELP, examples=["YWZ0ZXI6NDI"], pattern=CURSOR_PATTERN
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_HELP)
    updated_since: IsoDateTime | None = Field(
        None, description=UPDATED_SINCE_HELP, examples=["2026-01-31T00:00:00Z"]
    )


FACET_HELP = "Repeat to choose several values (any of them); different filters must all match."


class ProductFilters(PageParams):
    q: str = Field(
        "",
        description="Words to search for, as /search understands them (typos, plurals, "
        "acronyms such as EPR, A&E or MSK, supplier names). With `q` the list is in the "
        "search's order, best match first, the filters mean what they mean on /search, and "
        "`search` says which engine answered and any notice.",
        examples=["remote monitoring"],
    )
    category: list[str] = Field([], description="Category slug. " + FACET_HELP)
    care_setting: list[str] = Field([], description="Care setting slug. " + FACET_HELP)
    clinical_area: list[str] = Field([], description="Clinical area tag. " + FACET_HELP)
    esf_tier: list[Literal["A", "B", "C"]] = Field([], description="NICE ESF tier. " + FACET_HELP)
    standard: list[str] = Field(
        [], description="Code of a standard met and unexpired today, such as DCB0129. " + FACET_HELP
    )
    dtac: list[Literal["passed", "not_passed"]] = Field(
        [], description="DTAC state today (proof rules): passed, or anything else."
    )
    integration: list[str] = Field(
        [], description="Interoperability standard met today, such as GP_CONNECT. " + FACET_HELP
    )
    region: list[RegionValue] = Field(
        [], description="NHS England region of a confirmed adopter. " + FACET_HELP
    )
    adoption: list[Literal["none", "1-4", "5-19", "20+"]] = Field(
        [], description="Number of confirmed adopting organisations. " + FACET_HELP
    )
    deployment: list[DeploymentValue] = Field([], description="Deployment model. " + FACET_HELP)


class Ref(Schema):
    id: int = Field(description="Permanent id: never changes, never reused.")
    name: str


class OrganisationRef(Schema):
    id: int
    name: str
    ods_code: str | None = None
    region: str = ""


class SupplierRef(Schema):
    id: int
    name: str
    companies_house_number: str | None = None


class TermRef(Schema):
    id: int
    slug: str
    name: str


class DtacOut(Schema):
    state: Literal["passed", "lapsed", "not_passed", "not_assessed"]
    label: str
    reason: str = Field(examples=["Not met: DTAC_C3, CE or CE_PLUS."])
    valid_until: datetime.date | None = Field(
        None, description="The last day it stays passed unless a row is renewed."
    )


IDS_HELP = (
    "`id` is permanent (it survives a rename); `external_id` is the id in the catalogue the "
    "record was imported from, if any; `catalogue_id` is the id in the open data files."
)


class ProductOut(Schema):
    id: int = Field(description=IDS_HELP, examples=[42])
    external_id: str | None = Field(None, examples=["acme-remote-monitoring"])
    catalogue_id: str = Field(examples=["registry:product:42"])
    name: str = Field(examples=["Acme Remote Monitoring"])
    slug: str
    url: str = Field(description="The product's page on the registry.")
    summary: str
    supplier: SupplierRef
    category: TermRef
    care_settings: list[TermRef]
    clinical_areas: list[str]
    esf_tier: str = Field(examples=["B"])
    device_class: str
    conformity_marking: str
    pricing_model: str
    deployment_model: str
    website: str
    last_reviewed_on: datetime.date | None = None
    dtac: DtacOut
    standards_met: list[str] = Field(description="Codes of standards met and unexpired today.")
    adoption_count: int = Field(description="Confirmed adopting organisations.")
    first_published_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = Field(None, description="When it last changed.")


class StandardRef(Schema):
    id: int
    code: str = Field(examples=["DCB0129"])
    name: str
    category: str


class ComplianceOut(Schema):
    standard: StandardRef
    status: Literal["met", "partially_met", "not_met", "in_progress", "not_applicable"]
    effective_status: str = Field(
        description="The status as the public sees it today: `expired` once the expiry date "
        "has passed, otherwise the status.",
        examples=["expired"],
    )
    expired: bool
    assessed_on: datetime.date | None = None
    expires_on: datetime.date | None = None
    evidence_url: str
    notes: str


class EvidenceOut(Schema):
    evidence_type: str = Field(examples=["rct"])
    title: str
    year: int
    summary: str
    outcomes: str
    link: str = Field(description="A web address or a DOI, as entered.")
    url: str = Field(description="The link as a web address.")


class AdoptionOut(Schema):
    organisation: OrganisationRef
    since: datetime.date | None = None
    scale: str


class CaseStudyRef(Schema):
    id: int
    title: str


class ProductDetailOut(ProductOut):
    description: list[str] = Field(description="Paragraphs of plain text.")
    evidence: list[EvidenceOut]
    compliance: list[ComplianceOut]
    adoptions: list[AdoptionOut] = Field(description="Confirmed adoptions only.")
    case_studies: list[CaseStudyRef]


class ProductSearchOut(Schema):
    query: str = Field(description="The words searched for, tidied.")
    engine: Literal["elasticsearch", "database"]
    degraded: bool = Field(
        description="True when the database answered because Elasticsearch could not: the "
        "same filters, simpler matching."
    )
    notices: list[str] = Field(
        description="What the search changed or ignored, such as a filter value it does not know.",
        examples=[["No results had all of your words, so these results have some of them."]],
    )
    did_you_mean: str | None = Field(None, examples=["diabetes"])
    corrected: bool = Field(
        description="True when the words as typed found nothing and the matches are for "
        "did_you_mean instead."
    )


def page_out(item_schema):
    """A page of a list: its items, the cursor of the next page (null on the last) and how
    many records the whole list holds. Named after the item, as ProductPageOut is."""
    return create_model(
        item_schema.__name__.removesuffix("Out") + "PageOut",
        __base__=Schema,
        __module__=__name__,
        items=(list[item_schema], ...),
        next=(str | None, None),
        total=(int, ...),
    )


class ProductPageOut(Schema):
    items: list[ProductOut]
    next: str | None = Field(None, description="Cursor of the next page; null on the last.")
    total: int = Field(
        description="Records in the whole list; with `q`, the matches a cursor can reach "
        "(at most 10,000)."
    )
    search: ProductSearchOut | None = Field(
        None, description="Only with `q`: how the words were searched."
    )


class OrganisationOut(Schema):
    id: int = Field(description=IDS_HELP)
    external_id: str | None = None
    catalogue_id: str
    name: str = Field(examples=["Example NHS Foundation Trust"])
    kind: str = Field(examples=["nhs_trust"])
    ods_code: str | None = Field(None, examples=["RJ1"])
    companies_house_number: str | None = None
    region: str
    website: str
    updated_at: datetime.datetime | None = None


OrganisationPageOut = page_out(OrganisationOut)


class StandardOut(Schema):
    id: int
    code: str = Field(examples=["DSPT"])
    name: str
    category: str
    issuing_body: str
    version: str
    url: str
    description: str
    expires: bool
    validity_months: int | None = None
    part_of: int | None = Field(None, description="Id of the framework it is a section of.")
    is_active: bool
    updated_at: datetime.datetime | None = None


StandardPageOut = page_out(StandardOut)


class TermOut(Schema):
    id: int
    slug: str = Field(examples=["remote-monitoring"])
    name: str
    description: str
    updated_at: datetime.datetime | None = None


TermPageOut = page_out(TermOut)


class OutcomeOut(Schema):
    metric: str = Field(examples=["Did not attend rate"])
    before: float = Field(examples=[10.0])
    after: float = Field(examples=[6.5])
    unit: str = Field(examples=["%"])
    period: str


class CaseStudyOut(Schema):
    id: int = Field(description=IDS_HELP)
    external_id: str | None = None
    catalogue_id: str
    title: str
    slug: str
    url: str
    summary: str
    organisation: OrganisationRef
    products: list[Ref]
    challenge: list[str]
    solution: list[str]
    costs: list[str]
    lessons_learnt: list[str]
    outcomes: list[OutcomeOut]
    published_on: datetime.date
    tags: list[str]
    updated_at: datetime.datetime | None = None


CaseStudyPageOut = page_out(CaseStudyOut)


class GuideOut(Schema):
    id: int
    title: str
    slug: str
    url: str
    summary: str
    body: list[str] = Field(description="Paragraphs of plain text.")
    featured: bool
    tags: list[str]
    products: list[Ref]
    first_published_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None


GuidePageOut = page_out(GuideOut)


class FormularyOrganisationRef(OrganisationRef):
    kind: str = Field(examples=["nhs_trust"])


class FormularyEntryOut(Schema):
    product: Ref
    note: str = Field(
        description="The organisation's note on how it uses the product; may be empty.",
        examples=["Approved for cardiology follow-up only."],
    )
    added_on: datetime.date = Field(examples=["2026-06-01"])


class FormularyOut(Schema):
    id: int = Field(description="Permanent id: never changes, never reused.", examples=[7])
    organisation: FormularyOrganisationRef = Field(
        description="The NHS or care organisation whose list it is."
    )
    url: str = Field(
        description="The formulary's page on the registry (its JSON and an embeddable page "
        "are beside it).",
        examples=["https://registry.example.nhs.uk/organisations/12/formulary/"],
    )
    introduction: str = Field(
        description="Who the list is for and how to use it.",
        examples=["Products approved for use across the trust."],
    )
    products: list[FormularyEntryOut] = Field(
        description="The products it approves that the registry lists, by name."
    )
    updated_at: datetime.datetime | None = Field(None, description="When it last changed.")


FormularyPageOut = page_out(FormularyOut)


class RegionCountOut(Schema):
    region: str = Field(description="Empty for national organisations.")
    adoptions: int
    organisations: int
    products: int


class CategoryCountOut(Schema):
    slug: str
    name: str
    adoptions: int
    products: int


class ScaleCountOut(Schema):
    scale: str
    adoptions: int


class AdoptionStatisticsOut(Schema):
    products: int = Field(description="Products listed.")
    products_adopted: int = Field(description="Products with at least one confirmed adopter.")
    confirmed_adoptions: int
    adopting_organisations: int
    by_region: list[RegionCountOut]
    by_category: list[CategoryCountOut]
    by_scale: list[ScaleCountOut]


class ChangeOut(Schema):
    cursor: str = Field(description="Pass as `after` to read the changes after this one.")
    kind: Literal[
        "product",
        "organisation",
        "case_study",
        "guide",
        "standard",
        "category",
        "care_setting",
        "formulary",
    ]
    id: int = Field(description="The record's permanent id.")
    action: Literal["created", "updated", "unpublished", "deleted"] = Field(
        description="created and updated: fetch the record from `url` and keep it; "
        "unpublished and deleted: drop it."
    )
    recorded_at: datetime.datetime
    url: str = Field(description="Where the API serves the record now.")


class ChangesOut(Schema):
    changes: list[ChangeOut]
    next: str | None = Field(
        description="Pass as `after` next time. The same cursor when there is nothing new."
    )
    more: bool = Field(description="True when more changes are waiting: read again at once.")
