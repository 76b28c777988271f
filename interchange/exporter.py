"""Writing the catalogue out: live, public products and case studies, and every
organisation they point at, in the format `importer` reads.

`product_record`, `case_study_record` and `organisation_record` are also how the importer
sees what is already in the database, so "unchanged" means exactly "would export the same".
Rich text is compared by its paragraphs' words: formatting an editor added in the admin,
which the format cannot carry, survives an import of a file that says the same thing.
"""

import json

from django.db.models import CharField, F, Prefetch, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf

from assessments.models import ProductCompliance
from registry.models import (
    Adoption,
    CaseStudyPage,
    CaseStudyProduct,
    EvidenceItem,
    Organisation,
    ProductPage,
)

from .richtext import html_to_paragraphs, stream_to_paragraphs
from .schema import (
    ADOPTION,
    CASE_STUDY,
    COMPLIANCE,
    EVIDENCE,
    FORMAT_NAME,
    FORMAT_VERSION,
    ORGANISATION,
    OUTCOME,
    PRODUCT,
    assemble,
)

RICH_TEXT_FIELDS = ("challenge", "solution", "costs", "lessons_learnt")


def generated_id(kind, pk):
    """A stable id for a record made in the admin, which has no external id of its own."""
    return f"registry:{kind}:{pk}"


def record_id_expression(kind, prefix=""):
    """The record's id (`organisation_id`, `product_id`, `case_study_id`) as a database
    expression, for tables the database writes itself; `prefix` reaches a related record,
    such as "product__"."""
    return Coalesce(
        NullIf(F(f"{prefix}external_id"), Value("")),
        Concat(Value(generated_id(kind, "")), Cast(F(f"{prefix}pk"), CharField())),
        output_field=CharField(),
    )


def organisation_id(organisation):
    return organisation.external_id or generated_id("organisation", organisation.pk)


def product_id(product):
    return product.external_id or generated_id("product", product.pk)


def case_study_id(case_study):
    return case_study.external_id or generated_id("case-study", case_study.pk)


def sorted_tags(names):
    return sorted(names, key=lambda name: (name.casefold(), name))


def _paragraphs(paragraphs, lossless, warn, message):
    if warn and not lossless:
        warn(message)
    return paragraphs


def organisation_record(organisation, record_id):
    return assemble(ORGANISATION, organisation, {"id": record_id})


def product_record(product, record_id, organisation_ref, warn=None):
    """The product in the file's shape.

    `organisation_ref(pk)` says how to write a reference to an organisation: its id in an
    export, or a comparison key in the importer. `warn(message)` hears of formatting that
    the file leaves out.
    """
    description, lossless = stream_to_paragraphs(product.description)
    return assemble(
        PRODUCT,
        product,
        {
            "id": record_id,
            "supplier": organisation_ref(product.supplier_id),
            "description": _paragraphs(
                description,
                lossless,
                warn,
                f"product {record_id}: the description has formatting or blocks other than "
                "paragraphs; only the text of its paragraphs was exported.",
            ),
            "category": product.category.slug,
            "care_settings": sorted(setting.slug for setting in product.care_settings.all()),
            "clinical_areas": sorted_tags(
                item.tag.name for item in product.tagged_clinical_areas.all()
            ),
            "evidence": [assemble(EVIDENCE, item, {}) for item in product.evidence.all()],
            "compliance": [
                assemble(COMPLIANCE, row, {"standard": row.standard.code})
                for row in product.compliance.all()
            ],
            "adoptions": [
                assemble(
                    ADOPTION, adoption, {"organisation": organisation_ref(adoption.organisation_id)}
                )
                for adoption in product.adoptions.all()
            ],
        },
    )


def case_study_record(case_study, record_id, organisation_ref, product_ref, warn=None):
    """The case study in the file's shape. `product_ref(pk)` may return None to leave a
    product out (the export does, for products it does not export)."""
    given = {
        "id": record_id,
        "organisation": organisation_ref(case_study.organisation_id),
        "products": [
            ref
            for ref in (product_ref(link.product_id) for link in case_study.product_links.all())
            if ref is not None
        ],
        "outcomes": [assemble(OUTCOME, outcome, {}) for outcome in case_study.outcomes.all()],
        "tags": sorted_tags(item.tag.name for item in case_study.tagged_items.all()),
    }
    for name in RICH_TEXT_FIELDS:
        paragraphs, lossless = html_to_paragraphs(getattr(case_study, name))
        given[name] = _paragraphs(
            paragraphs,
            lossless,
            warn,
            f"case study {record_id}: {name} has formatting other than paragraphs; only its "
            "text was exported.",
        )
    return assemble(CASE_STUDY, case_study, given)


def product_queryset():
    return ProductPage.objects.select_related("category").prefetch_related(
        "care_settings",
        "tagged_clinical_areas__tag",
        Prefetch("evidence", queryset=EvidenceItem.objects.order_by("sort_order", "pk")),
        Prefetch(
            "compliance",
            queryset=ProductCompliance.objects.select_related("standard").order_by(
                "sort_order", "pk"
            ),
        ),
        Prefetch("adoptions", queryset=Adoption.objects.order_by("sort_order", "pk")),
    )


def case_study_queryset():
    return CaseStudyPage.objects.prefetch_related(
        "tagged_items__tag",
        Prefetch("product_links", queryset=CaseStudyProduct.objects.order_by("sort_order", "pk")),
        "outcomes",
    )


def export_catalogue(warn=None, progress=None):
    """The whole public catalogue as a document (a dict), ready for `dumps`."""
    progress = progress or (lambda iterable, **kwargs: iterable)
    # A fixed number of queries, however many records: see product_queryset.
    products = list(product_queryset().live().public())
    case_studies = list(case_study_queryset().live().public())
    product_ids = {product.pk: product_id(product) for product in products}

    organisation_pks = {product.supplier_id for product in products}
    organisation_pks |= {a.organisation_id for product in products for a in product.adoptions.all()}
    organisation_pks |= {case_study.organisation_id for case_study in case_studies}
    organisations = list(Organisation.objects.filter(pk__in=organisation_pks))
    organisation_ids = {
        organisation.pk: organisation_id(organisation) for organisation in organisations
    }

    product_records = [
        product_record(product, product_ids[product.pk], organisation_ids.get, warn=warn)
        for product in progress(products, desc="Products", unit="product")
    ]
    case_study_records = []
    for case_study in progress(case_studies, desc="Case studies", unit="case study"):
        record = case_study_record(
            case_study,
            case_study_id(case_study),
            organisation_ids.get,
            product_ids.get,
            warn=warn,
        )
        left_out = len(case_study.product_links.all()) - len(record["products"])
        if not record["products"]:
            if warn:
                warn(f"case study {record['id']}: none of its products is exported; skipped.")
            continue
        if left_out and warn:
            warn(
                f"case study {record['id']}: {left_out} of its products are not live and public, "
                "so they are left out."
            )
        case_study_records.append(record)

    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "organisations": sorted(
            (organisation_record(o, organisation_ids[o.pk]) for o in organisations),
            key=lambda record: record["id"],
        ),
        "products": sorted(product_records, key=lambda record: record["id"]),
        "case_studies": sorted(case_study_records, key=lambda record: record["id"]),
    }


def dumps(document):
    """UTF-8-friendly JSON with two-space indents and the format's own key order, ending in
    a newline, so two exports diff line by line."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
