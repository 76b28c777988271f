"""Turning pages into index documents: what each kind of document holds.

Documents are built in batches from plain value rows (no model instances), so building one
document or a hundred thousand costs a fixed number of queries per batch, and a rebuild is
bound by Elasticsearch rather than by the ORM. Only live, public pages are ever turned into
documents: `indexable_pages` is the one filter. Nothing here talks to Elasticsearch:
`search.indexing` writes what this builds.
"""

import datetime
import hashlib
import logging
import re
from collections import defaultdict
from html import unescape

from django.db.models import Count, ExpressionWrapper, F, JSONField
from django.utils import timezone

from assessments.models import ComplianceStatus, ProductCompliance, StandardCategory
from proof import rules
from registry.choices import DeploymentModel
from registry.models import (
    Adoption,
    BestPracticePage,
    BestPracticeProduct,
    BestPracticeTag,
    CaseStudyOutcome,
    CaseStudyPage,
    CaseStudyProduct,
    CaseStudyTag,
    EvidenceItem,
    ProductClinicalAreaTag,
    ProductPage,
)

from .documents import DOCUMENTS

logger = logging.getLogger(__name__)

PAGE_MODELS = {"product": ProductPage, "case_study": CaseStudyPage, "guide": BestPracticePage}
KIND_OF_MODEL = {model: kind for kind, model in PAGE_MODELS.items()}
BATCH_SIZE = 500


def kind_of(page):
    """'product', 'case_study' or 'guide' for a page of a searchable type, else None."""
    kind = KIND_OF_MODEL.get(type(page))
    if kind is None and type(page) is not page.specific_class:
        kind = KIND_OF_MODEL.get(page.specific_class)
    return kind


def indexable_pages(kind):
    """Live pages with no view restriction: what the public can see, and nothing else."""
    return PAGE_MODELS[kind].objects.live().public()


def tiebreak_for(kind, pk):
    return hashlib.sha1(f"{kind}:{pk}".encode(), usedforsecurity=False).hexdigest()[:16]


def adoption_band(count):
    if count == 0:
        return "none"
    if count < 5:
        return "1-4"
    if count < 20:
        return "5-19"
    return "20+"


def _stream_text(blocks, stream_block):
    """Plain text of a StreamField's stored blocks (its JSON, read without building a
    StreamValue), for full-text matching. Rich text, the common block, is read straight
    from the stored HTML; other blocks go through their own `get_searchable_content`."""
    if not blocks:
        return ""
    parts = []
    for raw in blocks:
        block_type, value = raw.get("type"), raw.get("value")
        if block_type == "text" and isinstance(value, str):
            parts.append(_html_text(value))
            continue
        child = stream_block.child_blocks.get(block_type)
        if child is not None:
            content = child.get_searchable_content(child.to_python(value))
            parts.extend(_html_text(str(text)) for text in content)
    return " ".join(part for part in parts if part)


def stored_blocks(field_name):
    """A StreamField's column as its stored JSON (a list of {type, value} blocks), for
    `.values()`: Wagtail's own conversion builds a StreamValue per row, which a rebuild of
    100,000 pages cannot afford."""
    return ExpressionWrapper(F(field_name), output_field=JSONField())


TAG = re.compile(r"<[^>]*>")


def _html_text(html):
    """Text of an HTML fragment: tags become spaces (so paragraphs do not run together),
    entities are decoded, runs of white space become one space."""
    if not html:
        return ""
    text = TAG.sub(" ", html)
    if "&" in text:
        text = unescape(text)
    return " ".join(text.split())


def _suggest_inputs(*values):
    return [value for value in dict.fromkeys(values) if value]


def _grouped(rows):
    """{first column: [the rest of the row, ...]} from value tuples, keeping their order; the
    rest is a bare value when there is only one more column."""
    groups = defaultdict(list)
    for row in rows:
        groups[row[0]].append(row[1] if len(row) == 2 else row[1:])
    return groups


def _without_empty(source):
    """What Document.to_dict() keeps: no None, [] or {} (but "", 0 and False stay)."""
    return {key: value for key, value in source.items() if value not in ([], {}, None)}


def _for_ids(field, ids):
    """A filter on `field` for these page ids, sorted. A rebuild's batch is a run of
    consecutive pages, so it becomes a range, which PostgreSQL answers from the index
    without 500 parameters to send and plan; scattered ids (the worker's) stay a list.
    Rows of other pages in the range come back too; the builders look rows up by id, so
    they are never used."""
    if len(ids) > 50 and ids[-1] - ids[0] < 4 * len(ids):
        return {f"{field}__gte": ids[0], f"{field}__lte": ids[-1]}
    return {f"{field}__in": ids}


COMMON_FIELDS = ("pk", "title", "summary", "url_path", "last_published_at", "first_published_at")


def _common(kind, row):
    return {
        "kind": kind,
        "title": row["title"],
        "summary": row["summary"],
        "url": row["url_path"],  # resolved to a URL at display time, see results
        "published_at": row["last_published_at"] or row["first_published_at"],
        "tiebreak": tiebreak_for(kind, row["pk"]),
    }


# --- Products -------------------------------------------------------------------------------
#
# Sources are built from plain value rows, a fixed number of queries per batch and no model
# instances: a rebuild of 100,000 products is bound by Elasticsearch, not by the ORM.

PRODUCT_FIELDS = (
    *COMMON_FIELDS,
    "supplier__name",
    "category__slug",
    "category__name",
    "esf_tier",
    "device_class",
    "conformity_marking",
    "pricing_model",
    "deployment_model",
)


# Plain strings: comparing with the enum members costs a lookup each time.
MET = str(ComplianceStatus.MET.value)
INTEROPERABILITY = str(StandardCategory.INTEROPERABILITY.value)
DESCRIPTION_BLOCKS = ProductPage.description.field.stream_block


# How a product reaches people, in words a search may use ("app", "device").
DEPLOYMENT_WORDS = {value: str(label) for value, label in DeploymentModel.choices}
# The "until" of a standard met with no expiry date.
MET_FOREVER = datetime.date(9999, 12, 31)
CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def split_name(name):
    """A name's words run together in capitals, apart ("BreatheWell" -> "Breathe Well"), or
    None when it has none: "breathe well" then finds the product named as one word."""
    split = " ".join(CAMEL_CASE.sub(" ", word) for word in name.split())
    return split if split != name else None


def _product_sources(rows, today):
    ids = [row["pk"] for row in rows]
    care_settings = _grouped(
        ProductPage.care_settings.through.objects.filter(
            **_for_ids("productpage_id", ids)
        ).values_list("productpage_id", "caresetting__slug", "caresetting__name")
    )
    clinical_areas = _grouped(
        ProductClinicalAreaTag.objects.filter(**_for_ids("content_object_id", ids)).values_list(
            "content_object_id", "tag__name"
        )
    )
    compliance = _grouped(
        ProductCompliance.objects.filter(**_for_ids("product_id", ids))
        .order_by()
        .values_list(
            "product_id",
            "status",
            "assessed_on",
            "expires_on",
            "standard__code",
            "standard__category",
        )
    )
    adopter_regions = _grouped(
        Adoption.objects.filter(**_for_ids("product_id", ids), confirmed=True)
        .order_by()
        .values_list("product_id", "organisation__region")
    )
    evidence_counts = dict(
        EvidenceItem.objects.filter(**_for_ids("product_id", ids))
        .order_by()
        .values("product_id")
        .annotate(count=Count("pk"))
        .values_list("product_id", "count")
    )
    studies = _grouped(
        CaseStudyProduct.objects.filter(
            **_for_ids("product_id", ids), case_study__in=indexable_pages("case_study")
        )
        .order_by("sort_order", "pk")
        .values_list("product_id", "case_study_id", "case_study__title", "case_study__summary")
    )
    study_ids = {study_id for links in studies.values() for study_id, _, _ in links}
    outcomes = _grouped(
        CaseStudyOutcome.objects.filter(case_study_id__in=study_ids)
        .order_by("sort_order", "pk")
        .values_list("case_study_id", "metric", "before", "after", "unit")
    )
    for row in rows:
        pk = row["pk"]
        # Every standard met, with the last day it counts: searches compare that day with
        # the day of the search, so a standard expiring overnight stops counting with no
        # reindex (see search.query.met_clause).
        met = [
            {
                "code": code,
                "until": expires_on or MET_FOREVER,
                "interoperability": category == INTEROPERABILITY,
            }
            for status, _, expires_on, code, category in sorted(
                compliance.get(pk, ()), key=lambda row: row[3]
            )
            if status == MET
        ]
        # The same, flat, for the filters and counts that need no nested query: every code
        # above counts until the first "until" among them (search.query.met_clause).
        met_codes = [entry["code"] for entry in met]
        dtac_until = rules.dtac_passed_until(
            rules.fact(code, status, expires_on)
            for status, _, expires_on, code, _ in compliance.get(pk, ())
        )
        settings_of = sorted(care_settings.get(pk, ()))
        assessed = [assessed_on for _, assessed_on, *_ in compliance.get(pk, ()) if assessed_on]
        regions = adopter_regions.get(pk, [])
        linked = studies.get(pk, [])
        outcome_texts = [
            f"{metric} {before} {after} {unit}"
            for study_id, _, _ in linked
            for metric, before, after, unit in outcomes.get(study_id, ())
        ]
        tags = sorted(set(clinical_areas.get(pk, ())))
        yield (
            str(pk),
            _without_empty(
                {
                    **_common("product", row),
                    "body": _stream_text(row["description_blocks"], DESCRIPTION_BLOCKS),
                    "title_words": split_name(row["title"]),
                    "supplier_name": row["supplier__name"],
                    "category": row["category__slug"],
                    "category_name": row["category__name"],
                    "care_settings": [slug for slug, _ in settings_of],
                    "setting_words": " ".join(
                        [
                            *(name for _, name in settings_of),
                            DEPLOYMENT_WORDS[row["deployment_model"]],
                        ]
                    ),
                    "clinical_areas": tags,
                    "esf_tier": row["esf_tier"],
                    "device_class": row["device_class"],
                    "conformity_marking": row["conformity_marking"],
                    "pricing_model": row["pricing_model"],
                    "deployment_model": row["deployment_model"],
                    "met": met,
                    "met_codes": met_codes,
                    "met_interoperability_codes": [
                        entry["code"] for entry in met if entry["interoperability"]
                    ],
                    "met_all_until": min((entry["until"] for entry in met), default=MET_FOREVER),
                    "dtac_until": dtac_until,
                    "adoption_count": len(regions),
                    "adoption_band": adoption_band(len(regions)),
                    "adopter_regions": sorted({region for region in regions if region}),
                    "case_study_titles": " ".join(title for _, title, _ in linked),
                    "case_study_outcomes": " ".join(
                        [*(summary for _, _, summary in linked), *outcome_texts]
                    ),
                    "evidence_count": evidence_counts.get(pk, 0),
                    "last_assessed": max(assessed) if assessed else None,
                    "suggest": {
                        "input": _suggest_inputs(
                            row["title"], row["supplier__name"], row["category__name"]
                        )
                    },
                }
            ),
        )


# --- Case studies and guides ----------------------------------------------------------------

CASE_STUDY_FIELDS = (
    *COMMON_FIELDS,
    "challenge",
    "solution",
    "costs",
    "lessons_learnt",
    "organisation__name",
    "organisation__region",
)


def _editorial_sources(kind, rows, link_model, tag_model, extra):
    """Case studies and guides: the fields they share (their linked live products, their
    tags), with `extra(row)` adding what only that kind has."""
    ids = [row["pk"] for row in rows]
    products = _grouped(
        link_model.objects.filter(**{f"{kind}_id__in": ids})
        .filter(product__in=indexable_pages("product"))
        .order_by("sort_order", "pk")
        .values_list(f"{kind}_id", "product_id", "product__title")
    )
    tags = _grouped(
        tag_model.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "tag__name"
        )
    )
    for row in rows:
        pk = row["pk"]
        linked = products.get(pk, [])
        yield (
            str(pk),
            _without_empty(
                {
                    **_common(kind, row),
                    "tags": sorted(set(tags.get(pk, ()))),
                    "product_ids": [str(product_id) for product_id, _ in linked],
                    "product_names": " ".join(title for _, title in linked),
                    **extra(row),
                }
            ),
        )


def _case_study_sources(rows, today):
    outcomes = _grouped(
        CaseStudyOutcome.objects.filter(case_study_id__in=[row["pk"] for row in rows])
        .order_by("sort_order", "pk")
        .values_list("case_study_id", "metric", "before", "after", "unit", "period")
    )

    def extra(row):
        return {
            "body": " ".join(
                _html_text(row[field])
                for field in ("challenge", "solution", "costs", "lessons_learnt")
            ),
            "organisation_name": row["organisation__name"],
            "region": row["organisation__region"] or None,
            "outcomes": " ".join(
                f"{metric} {before} {after} {unit} {period}"
                for metric, before, after, unit, period in outcomes.get(row["pk"], ())
            ),
            "suggest": {"input": _suggest_inputs(row["title"], row["organisation__name"])},
        }

    return _editorial_sources("case_study", rows, CaseStudyProduct, CaseStudyTag, extra)


GUIDE_FIELDS = COMMON_FIELDS
GUIDE_BODY_BLOCKS = BestPracticePage.body.field.stream_block


def _guide_sources(rows, today):
    def extra(row):
        return {
            "body": _stream_text(row["body_blocks"], GUIDE_BODY_BLOCKS),
            "suggest": {"input": _suggest_inputs(row["title"])},
        }

    return _editorial_sources("guide", rows, BestPracticeProduct, BestPracticeTag, extra)


BUILDERS = {
    "product": (PRODUCT_FIELDS, _product_sources),
    "case_study": (CASE_STUDY_FIELDS, _case_study_sources),
    "guide": (GUIDE_FIELDS, _guide_sources),
}
# StreamFields each builder reads, as stored JSON (see stored_blocks).
STREAM_FIELDS = {"product": ("description",), "case_study": (), "guide": ("body",)}


def build_sources(kind, ids=None, batch_size=BATCH_SIZE):
    """Yield (id, source) for the indexable pages of a kind (all, or those with the given
    ids): the JSON each document is indexed with. Ids that are not live and public yield
    nothing: callers compare to find deletions."""
    fields, build = BUILDERS[kind]
    today = timezone.localdate()
    pages = indexable_pages(kind).order_by("pk")
    if ids is not None:
        pages = pages.filter(pk__in=list(ids))
    last_pk = 0
    while True:
        rows = list(
            pages.filter(pk__gt=last_pk).values(
                *fields, **{f"{name}_blocks": stored_blocks(name) for name in STREAM_FIELDS[kind]}
            )[:batch_size]
        )
        if not rows:
            return
        yield from build(rows, today)
        last_pk = rows[-1]["pk"]


def build_documents(kind, ids=None, batch_size=BATCH_SIZE):
    """The same as build_sources, as elasticsearch-dsl documents."""
    document_class = DOCUMENTS[kind]
    for pk, source in build_sources(kind, ids=ids, batch_size=batch_size):
        yield document_class(meta={"id": pk}, **source)


def build_document(page):
    """The document for one page, or None when the page must not be in the index."""
    kind = kind_of(page)
    if kind is None:
        return None
    return next(build_documents(kind, ids=[page.pk]), None)
