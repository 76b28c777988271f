"""Turning pages into index documents, and building indices behind their aliases.

Documents are built in batches with every related row prefetched, so building one
document or a hundred thousand costs a fixed number of queries per batch. Only live,
public pages are ever turned into documents: `indexable_pages` is the one filter.
"""

import datetime
import hashlib
import logging

from django.db.models import Prefetch
from django.utils import timezone
from elasticsearch.helpers import streaming_bulk
from elasticsearch_dsl import Index

from assessments.models import ComplianceStatus, ProductCompliance, StandardCategory
from registry.models import (
    Adoption,
    BestPracticePage,
    BestPracticeProduct,
    CaseStudyPage,
    CaseStudyProduct,
    ProductPage,
)

from .client import get_client
from .documents import (
    DOCUMENTS,
    MAPPING_VERSION,
    CaseStudyDocument,
    GuideDocument,
    ProductDocument,
    alias_name,
)

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


def _stream_text(stream):
    """Plain text of a StreamField, for full-text matching."""
    from django.utils.html import strip_tags

    parts = []
    for block in stream or []:
        rendered = block.block.get_searchable_content(block.value)
        parts.extend(strip_tags(str(text)) for text in rendered)
    return " ".join(part for part in parts if part)


def _html_text(html):
    from django.utils.html import strip_tags

    return strip_tags(html or "")


def _suggest_inputs(*values):
    return [value for value in dict.fromkeys(values) if value]


def _common(kind, page):
    return {
        "kind": kind,
        "title": page.title,
        "summary": page.summary,
        "url": page.url_path,  # resolved to a URL at display time, see results
        "published_at": page.last_published_at or page.first_published_at,
        "tiebreak": tiebreak_for(kind, page.pk),
    }


# --- Products -------------------------------------------------------------------------------


def _product_queryset(pages):
    return pages.select_related("supplier", "category").prefetch_related(
        "care_settings",
        "tagged_clinical_areas__tag",
        Prefetch(
            "compliance",
            queryset=ProductCompliance.objects.select_related("standard"),
        ),
        Prefetch(
            "adoptions",
            queryset=Adoption.objects.filter(confirmed=True).select_related("organisation"),
            to_attr="confirmed_adoptions",
        ),
        "evidence",
        Prefetch(
            "case_study_links",
            queryset=CaseStudyProduct.objects.filter(
                case_study__in=indexable_pages("case_study")
            ).prefetch_related("case_study__outcomes"),
            to_attr="live_case_study_links",
        ),
    )


def _product_document(page, today):
    met = [
        row
        for row in page.compliance.all()
        if row.status == ComplianceStatus.MET and not row.is_expired_on(today)
    ]
    met_codes = sorted({row.standard.code for row in met})
    integrations = sorted(
        {
            row.standard.code
            for row in met
            if row.standard.category == StandardCategory.INTEROPERABILITY
        }
    )
    assessed = [row.assessed_on for row in page.compliance.all() if row.assessed_on]
    adoptions = page.confirmed_adoptions
    case_studies = [link.case_study for link in page.live_case_study_links]
    outcomes = [
        f"{outcome.metric} {outcome.before} {outcome.after} {outcome.unit}"
        for study in case_studies
        for outcome in study.outcomes.all()
    ]
    clinical_areas = sorted({tagged.tag.name for tagged in page.tagged_clinical_areas.all()})
    return ProductDocument(
        meta={"id": str(page.pk)},
        **_common("product", page),
        body=_stream_text(page.description),
        tags=clinical_areas,
        supplier_name=page.supplier.name,
        category=page.category.slug,
        category_name=page.category.name,
        care_settings=sorted(setting.slug for setting in page.care_settings.all()),
        clinical_areas=clinical_areas,
        esf_tier=page.esf_tier,
        device_class=page.device_class,
        conformity_marking=page.conformity_marking,
        pricing_model=page.pricing_model,
        deployment_model=page.deployment_model,
        standards_met=met_codes,
        dtac_passed="DTAC" in met_codes,
        integrations=integrations,
        adoption_count=len(adoptions),
        adoption_band=adoption_band(len(adoptions)),
        adopter_regions=sorted({a.organisation.region for a in adoptions if a.organisation.region}),
        case_study_titles=" ".join(study.title for study in case_studies),
        case_study_outcomes=" ".join([*(study.summary for study in case_studies), *outcomes]),
        evidence_count=len(page.evidence.all()),
        last_assessed=max(assessed) if assessed else None,
        suggest={"input": _suggest_inputs(page.title, page.supplier.name, page.category.name)},
    )


# --- Case studies and guides ----------------------------------------------------------------


def _case_study_queryset(pages):
    return pages.select_related("organisation").prefetch_related(
        "outcomes",
        "tagged_items__tag",
        Prefetch(
            "product_links",
            queryset=CaseStudyProduct.objects.filter(
                product__in=indexable_pages("product")
            ).select_related("product"),
            to_attr="live_product_links",
        ),
    )


def _case_study_document(page, today):
    products = [link.product for link in page.live_product_links]
    return CaseStudyDocument(
        meta={"id": str(page.pk)},
        **_common("case_study", page),
        body=" ".join(
            _html_text(html)
            for html in (page.challenge, page.solution, page.costs, page.lessons_learnt)
        ),
        tags=sorted({tagged.tag.name for tagged in page.tagged_items.all()}),
        organisation_name=page.organisation.name,
        region=page.organisation.region or None,
        product_ids=[str(product.pk) for product in products],
        product_names=" ".join(product.title for product in products),
        outcomes=" ".join(
            f"{o.metric} {o.before} {o.after} {o.unit} {o.period}" for o in page.outcomes.all()
        ),
        suggest={"input": _suggest_inputs(page.title, page.organisation.name)},
    )


def _guide_queryset(pages):
    return pages.prefetch_related(
        "tagged_items__tag",
        Prefetch(
            "product_links",
            queryset=BestPracticeProduct.objects.filter(
                product__in=indexable_pages("product")
            ).select_related("product"),
            to_attr="live_product_links",
        ),
    )


def _guide_document(page, today):
    products = [link.product for link in page.live_product_links]
    return GuideDocument(
        meta={"id": str(page.pk)},
        **_common("guide", page),
        body=_stream_text(page.body),
        tags=sorted({tagged.tag.name for tagged in page.tagged_items.all()}),
        product_ids=[str(product.pk) for product in products],
        product_names=" ".join(product.title for product in products),
        suggest={"input": _suggest_inputs(page.title)},
    )


BUILDERS = {
    "product": (_product_queryset, _product_document),
    "case_study": (_case_study_queryset, _case_study_document),
    "guide": (_guide_queryset, _guide_document),
}


def build_documents(kind, ids=None, batch_size=BATCH_SIZE):
    """Yield documents for the indexable pages of a kind (all, or those with the given ids).

    Ids that are not live and public yield nothing: callers compare to find deletions.
    """
    prepare, build = BUILDERS[kind]
    today = timezone.localdate()
    pages = indexable_pages(kind).order_by("pk")
    if ids is not None:
        pages = pages.filter(pk__in=list(ids))
    last_pk = 0
    while True:
        batch = list(prepare(pages.filter(pk__gt=last_pk))[:batch_size])
        if not batch:
            return
        for page in batch:
            yield build(page, today)
        last_pk = batch[-1].pk


def build_document(page):
    """The document for one page, or None when the page must not be in the index."""
    kind = kind_of(page)
    if kind is None:
        return None
    return next(build_documents(kind, ids=[page.pk]), None)


# --- Indices and aliases --------------------------------------------------------------------


def new_index_name(kind, now=None):
    stamp = (now or datetime.datetime.now(datetime.UTC)).strftime("%Y%m%d%H%M%S%f")
    return f"{alias_name(kind)}-v{MAPPING_VERSION}-{stamp}"


def index_definition(kind, name):
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=10_000)
    index.document(DOCUMENTS[kind])
    return index


def create_index(kind, name=None, bulk_loading=False):
    """Create a dated index for a kind with the current mapping and analysis. Not aliased."""
    name = name or new_index_name(kind)
    client = get_client()
    body = index_definition(kind, name).to_dict()
    if bulk_loading:
        body["settings"]["refresh_interval"] = "-1"
    client.indices.create(index=name, **body)
    return name


def alias_targets(kind):
    client = get_client()
    alias = alias_name(kind)
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias).keys())


def point_alias(kind, index_name):
    """Atomically move the alias to index_name; returns the indices it pointed at before."""
    client = get_client()
    alias = alias_name(kind)
    previous = alias_targets(kind)
    actions = [{"remove": {"index": old, "alias": alias}} for old in previous]
    actions.append({"add": {"index": index_name, "alias": alias, "is_write_index": True}})
    client.indices.update_aliases(actions=actions)
    return [old for old in previous if old != index_name]


def ensure_index(kind):
    """The alias exists and points at an index; creates an empty one the first time."""
    targets = alias_targets(kind)
    if targets:
        return targets[0]
    name = create_index(kind)
    point_alias(kind, name)
    return name


def bulk_actions(documents, index, versions=None):
    """Index actions. With versions ({id: seq}), Elasticsearch refuses an older change."""
    for document in documents:
        action = document.to_dict(include_meta=True)
        action["_index"] = index
        if versions is not None:
            seq = versions[action["_id"]]
            action["_source"]["change_seq"] = seq
            action["version"] = seq
            action["version_type"] = "external_gte"
        yield action


def index_pages(pages, refresh=False):
    """Index the given pages now (no queue). Pages that are not live and public are deleted."""
    client = get_client()
    by_kind = {}
    for page in pages:
        kind = kind_of(page)
        if kind:
            by_kind.setdefault(kind, set()).add(page.pk)
    for kind, ids in by_kind.items():
        alias = alias_name(kind)
        ensure_index(kind)
        documents = list(build_documents(kind, ids=ids))
        present = {document.meta.id for document in documents}
        actions = list(bulk_actions(documents, alias))
        actions += [
            {"_op_type": "delete", "_index": alias, "_id": str(pk)}
            for pk in ids
            if str(pk) not in present
        ]
        for ok, item in streaming_bulk(client, actions, raise_on_error=False):
            if not ok and item.get("delete", {}).get("status") != 404:
                logger.warning("Index update failed: %s", item)
        if refresh:
            client.indices.refresh(index=alias)


def rebuild(kind, progress=None, batch_size=BATCH_SIZE):
    """Build a fresh index for a kind, load every indexable page, swap the alias, drop the
    old index. Search keeps answering from the old index until the swap."""
    client = get_client()
    name = create_index(kind, bulk_loading=True)
    count = 0
    try:
        actions = bulk_actions(build_documents(kind, batch_size=batch_size), name)
        for _ in streaming_bulk(
            client, actions, chunk_size=batch_size, raise_on_error=True, max_retries=3
        ):
            count += 1
            if progress is not None:
                progress(1)
        client.indices.put_settings(index=name, settings={"index": {"refresh_interval": None}})
        client.indices.refresh(index=name)
        old = point_alias(kind, name)
    except Exception:
        client.indices.delete(index=name, ignore_unavailable=True)
        raise
    for index in old:
        client.indices.delete(index=index, ignore_unavailable=True)
    return name, count
