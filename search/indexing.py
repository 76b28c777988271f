"""Turning pages into index documents, and building indices behind their aliases.

Documents are built in batches from plain value rows (no model instances), so building one
document or a hundred thousand costs a fixed number of queries per batch, and a rebuild is
bound by Elasticsearch rather than by the ORM. Only live, public pages are ever turned into
documents: `indexable_pages` is the one filter.

Every write carries an Elasticsearch external version drawn from the change queue's
sequence *before* the database is read (`queue.draw_version`), whether it comes from the
worker, a rebuild, `index_pages` or `search_index check --fix`. So the write with the
highest version always holds the freshest read, and a slow or retried write can never
replace a newer one (see search/queue.py).

A rebuild loads a new dated index that carries a second alias, `<alias>-rebuilding`,
until it is swapped in. The worker writes every change to that index too, so a change
committed after the rebuild read a page still reaches the new index; and because the
rebuild's own writes carry a version drawn before it read anything, they never replace
those newer writes.
"""

import dataclasses
import datetime
import hashlib
import logging
import re
import zlib
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from html import unescape
from itertools import islice
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, JSONField
from django.utils import timezone
from elastic_transport import ConnectionTimeout, TransportError
from elasticsearch import BadRequestError
from elasticsearch.helpers import streaming_bulk
from elasticsearch_dsl import Index

from assessments.models import ComplianceStatus, ProductCompliance, StandardCategory
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

from .client import get_client
from .documents import DOCUMENTS, MAPPING_VERSION, alias_name
from .queue import draw_version

logger = logging.getLogger(__name__)

PAGE_MODELS = {"product": ProductPage, "case_study": CaseStudyPage, "guide": BestPracticePage}
KIND_OF_MODEL = {model: kind for kind, model in PAGE_MODELS.items()}
BATCH_SIZE = 500
# Bulk writes get longer than ELASTICSEARCH_TIMEOUT (meant for searches): a busy node can
# take seconds over a chunk of 500 documents without being down.
BULK_TIMEOUT_SECONDS = 60


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


def _product_sources(rows, today):
    ids = [row["pk"] for row in rows]
    care_settings = _grouped(
        ProductPage.care_settings.through.objects.filter(
            **_for_ids("productpage_id", ids)
        ).values_list("productpage_id", "caresetting__slug")
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
        rows_met = [
            (code, category)
            for status, _, expires_on, code, category in compliance.get(pk, ())
            if status == MET and not (expires_on and expires_on < today)
        ]
        met_codes = sorted({code for code, _ in rows_met})
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
                    "tags": tags,
                    "supplier_name": row["supplier__name"],
                    "category": row["category__slug"],
                    "category_name": row["category__name"],
                    "care_settings": sorted(care_settings.get(pk, ())),
                    "clinical_areas": tags,
                    "esf_tier": row["esf_tier"],
                    "device_class": row["device_class"],
                    "conformity_marking": row["conformity_marking"],
                    "pricing_model": row["pricing_model"],
                    "deployment_model": row["deployment_model"],
                    "standards_met": met_codes,
                    "dtac_passed": "DTAC" in met_codes,
                    "integrations": sorted(
                        {code for code, category in rows_met if category == INTEROPERABILITY}
                    ),
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


def _linked_products(link_model, parent_field, ids):
    """{parent id: [(product id, title), ...]} for the live, public products linked."""
    return _grouped(
        link_model.objects.filter(
            **{f"{parent_field}_id__in": ids}, product__in=indexable_pages("product")
        )
        .order_by("sort_order", "pk")
        .values_list(f"{parent_field}_id", "product_id", "product__title")
    )


def _tags(through, ids):
    return _grouped(
        through.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "tag__name"
        )
    )


def _case_study_sources(rows, today):
    ids = [row["pk"] for row in rows]
    products = _linked_products(CaseStudyProduct, "case_study", ids)
    tags = _tags(CaseStudyTag, ids)
    outcomes = _grouped(
        CaseStudyOutcome.objects.filter(case_study_id__in=ids)
        .order_by("sort_order", "pk")
        .values_list("case_study_id", "metric", "before", "after", "unit", "period")
    )
    for row in rows:
        pk = row["pk"]
        linked = products.get(pk, [])
        yield (
            str(pk),
            _without_empty(
                {
                    **_common("case_study", row),
                    "body": " ".join(
                        _html_text(row[field])
                        for field in ("challenge", "solution", "costs", "lessons_learnt")
                    ),
                    "tags": sorted(set(tags.get(pk, ()))),
                    "organisation_name": row["organisation__name"],
                    "region": row["organisation__region"] or None,
                    "product_ids": [str(product_id) for product_id, _ in linked],
                    "product_names": " ".join(title for _, title in linked),
                    "outcomes": " ".join(
                        f"{metric} {before} {after} {unit} {period}"
                        for metric, before, after, unit, period in outcomes.get(pk, ())
                    ),
                    "suggest": {"input": _suggest_inputs(row["title"], row["organisation__name"])},
                }
            ),
        )


GUIDE_FIELDS = COMMON_FIELDS
GUIDE_BODY_BLOCKS = BestPracticePage.body.field.stream_block


def _guide_sources(rows, today):
    ids = [row["pk"] for row in rows]
    products = _linked_products(BestPracticeProduct, "guide", ids)
    tags = _tags(BestPracticeTag, ids)
    for row in rows:
        pk = row["pk"]
        linked = products.get(pk, [])
        yield (
            str(pk),
            _without_empty(
                {
                    **_common("guide", row),
                    "body": _stream_text(row["body_blocks"], GUIDE_BODY_BLOCKS),
                    "tags": sorted(set(tags.get(pk, ()))),
                    "product_ids": [str(product_id) for product_id, _ in linked],
                    "product_names": " ".join(title for _, title in linked),
                    "suggest": {"input": _suggest_inputs(row["title"])},
                }
            ),
        )


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


# --- Errors ---------------------------------------------------------------------------------


class SearchUnavailable(RuntimeError):
    """Elasticsearch did not answer. The message names the cause and the fix."""


def safe_url(url=None):
    """The Elasticsearch address without any user name or password in it, for messages."""
    parts = urlsplit(url if url is not None else settings.ELASTICSEARCH_URL)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@contextmanager
def answering():
    """Turn "Elasticsearch did not answer" into one error that says what to do about it."""
    try:
        yield
    except TransportError as exc:
        raise SearchUnavailable(
            f"Elasticsearch at {safe_url()} did not answer: {type(exc).__name__}: "
            f"{_short(exc)}. Start it with `make services` (or check ELASTICSEARCH_URL), "
            "or unset ELASTICSEARCH_URL to search the database instead."
        ) from exc


def _short(exc, limit=300):
    text = " ".join(str(getattr(exc, "message", None) or exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Indices and aliases --------------------------------------------------------------------


def building_alias(kind):
    """Marks the index a rebuild is loading; the worker writes changes there too."""
    return f"{alias_name(kind)}-rebuilding"


def new_index_name(kind, now=None):
    stamp = (now or datetime.datetime.now(datetime.UTC)).strftime("%Y%m%d%H%M%S%f")
    return f"{alias_name(kind)}-v{MAPPING_VERSION}-{stamp}"


def index_definition(kind, name):
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=10_000)
    index.document(DOCUMENTS[kind])
    return index


def create_index(kind, name=None, bulk_loading=False, aliases=None):
    """Create a dated index for a kind with the current mapping and analysis. Not aliased
    unless `aliases` names some."""
    name = name or new_index_name(kind)
    client = get_client()
    body = index_definition(kind, name).to_dict()
    if bulk_loading:
        body["settings"]["refresh_interval"] = "-1"
    if aliases:
        body["aliases"] = {alias: {} for alias in aliases}
    try:
        client.indices.create(index=name, **body)
    except BadRequestError as exc:
        if "registry_" in str(exc):
            raise SearchUnavailable(
                f"Elasticsearch at {safe_url()} could not create {name}: {_short(exc)}. The "
                "node lacks the registry analysis plugin: install search-service/analysis-plugin "
                "into it (see its README) and restart it."
            ) from exc
        raise
    return name


def index_state(kind, client=None):
    """(indices behind the alias, indices a rebuild is loading), in one request."""
    client = client or get_client()
    alias, building = alias_name(kind), building_alias(kind)
    found = client.options(ignore_status=404).indices.get_alias(name=f"{alias},{building}").body
    live, loading = [], []
    for index, info in found.items():
        aliases = info.get("aliases", {}) if isinstance(info, dict) else {}
        if alias in aliases:
            live.append(index)
        if building in aliases:
            loading.append(index)
    return sorted(live), sorted(loading)


def alias_targets(kind):
    return index_state(kind)[0]


def point_alias(kind, index_name):
    """Atomically move the alias to index_name (and take the rebuilding mark off it);
    returns the indices the alias pointed at before."""
    client = get_client()
    alias = alias_name(kind)
    previous = alias_targets(kind)
    actions = [{"remove": {"index": old, "alias": alias}} for old in previous]
    actions.append(
        {"remove": {"index": index_name, "alias": building_alias(kind), "must_exist": False}}
    )
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


def source_actions(sources, index, versions=None):
    """Index actions for (id, source) pairs. `versions` is one version for all, or
    {id: version}; with it, Elasticsearch refuses a write older than the one it holds."""
    for pk, source in sources:
        action = {"_index": index, "_id": pk, "_source": source}
        if versions is not None:
            seq = versions if isinstance(versions, int) else versions[pk]
            action["_source"] = {**source, "change_seq": seq}
            action["version"] = seq
            action["version_type"] = "external_gte"
        yield action


def bulk_actions(documents, index, versions=None):
    """The same as source_actions, for elasticsearch-dsl documents."""
    return source_actions(
        ((document.meta.id, document.to_dict()) for document in documents), index, versions
    )


def delete_actions(ids, index, version):
    """Versioned deletions: a late write of an older version cannot bring the page back."""
    for pk in ids:
        yield {
            "_op_type": "delete",
            "_index": index,
            "_id": str(pk),
            "version": version,
            "version_type": "external_gte",
        }


# --- Writing changes ------------------------------------------------------------------------


@dataclasses.dataclass
class SyncResult:
    indexed: int = 0
    deleted: int = 0
    superseded: int = 0  # the index already held a newer version: fine, it wins
    errors: dict = dataclasses.field(default_factory=dict)  # page id -> cause

    def add(self, other):
        self.indexed += other.indexed
        self.deleted += other.deleted
        self.superseded += other.superseded
        self.errors.update(other.errors)


def write_targets(kind):
    """Every index a change must reach: the live one, and any a rebuild is loading."""
    live, loading = index_state(kind)
    if not live:
        logger.warning(
            "There is no %s index yet: creating an empty one. Run `manage.py search_index "
            "rebuild --kind %s` to load every page.",
            kind,
            kind,
        )
        live = [ensure_index(kind)]
    return [*live, *loading]


def sync_documents(kind, ids, version, refresh=False):
    """Bring the documents for these page ids up to date, with external version `version`:
    indexed if the page is live and public, deleted otherwise. Call it with a version drawn
    (`queue.draw_version`) before this reads the database. Raises SearchUnavailable when
    Elasticsearch does not answer; per-document failures are returned in `errors`."""
    client = get_client()
    ids = [int(pk) for pk in ids]
    with answering():
        targets = write_targets(kind)
        sources = list(build_sources(kind, ids=ids))
        present = {pk for pk, _ in sources}
        absent = [str(pk) for pk in ids if str(pk) not in present]
        actions = []
        for index in targets:
            actions.extend(source_actions(sources, index, version))
            actions.extend(delete_actions(absent, index, version))
        outcomes = {}  # id -> list of (ok, superseded, error, index_missing)
        for ok, item in streaming_bulk(
            client.options(request_timeout=BULK_TIMEOUT_SECONDS),
            actions,
            chunk_size=BATCH_SIZE,
            raise_on_error=False,
            max_retries=0,
        ):
            op, info = next(iter(item.items()))
            outcomes.setdefault(info["_id"], []).append(_outcome(op, ok, info))
        if refresh:
            client.indices.refresh(index=",".join(targets))
    result = SyncResult()
    for pk in ids:
        answers = outcomes.get(str(pk), [])
        errors = [error for _, _, error, missing in answers if error and not missing]
        reached = [answer for answer in answers if answer[0] or answer[1]]
        if errors or not reached:
            result.errors[pk] = errors[0] if errors else "The index disappeared during the write."
        elif all(superseded for _, superseded, _, _ in reached):
            result.superseded += 1
        elif str(pk) in present:
            result.indexed += 1
        else:
            result.deleted += 1
    return result


def _outcome(op, ok, info):
    """(written, superseded, error, index_missing) for one bulk item."""
    if ok:
        return True, False, None, False
    status = info.get("status")
    error = info.get("error") or {}
    if status == 409:
        return False, True, None, False
    if op == "delete" and status == 404 and not error:
        return True, False, None, False  # already gone
    kind = error.get("type", f"HTTP {status}") if isinstance(error, dict) else str(error)
    reason = error.get("reason", "") if isinstance(error, dict) else ""
    # A rebuild finishing mid-write drops the old index; the new one got the write.
    missing = kind == "index_not_found_exception"
    return False, False, f"{kind}: {reason}".strip(": "), missing


def index_pages(pages, refresh=False):
    """Index the given pages now, without the queue (tests, the shell). Pages that are not
    live and public are deleted."""
    by_kind = {}
    for page in pages:
        kind = kind_of(page)
        if kind:
            by_kind.setdefault(kind, set()).add(page.pk)
    if not by_kind:
        return
    version = draw_version()
    for kind, ids in by_kind.items():
        result = sync_documents(kind, sorted(ids), version, refresh=refresh)
        for pk, error in result.errors.items():
            logger.warning("Index update failed for %s %s: %s", kind, pk, error)


# --- Rebuilding -----------------------------------------------------------------------------


class RebuildInProgress(RuntimeError):
    pass


REBUILD_LOCK_CLASS = 0x5EA4C  # the advisory-lock namespace for search rebuilds


def rebuild_lock_key(kind):
    """A 32-bit key per alias: rebuilds of indices with different prefixes (parallel test
    runs) do not wait for each other."""
    return zlib.crc32(alias_name(kind).encode()) - 2**31


@contextmanager
def rebuild_lock(kind):
    """One rebuild per kind at a time (a PostgreSQL advisory lock, released if the process
    dies). Without PostgreSQL there is no lock: run one rebuild at a time."""
    if connection.vendor != "postgresql":
        yield
        return
    key = rebuild_lock_key(kind)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [REBUILD_LOCK_CLASS, key])
        if not cursor.fetchone()[0]:
            raise RebuildInProgress(
                f"A rebuild of the {kind} index is already running. Wait for it to finish "
                "(`manage.py search_index status` shows it)."
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [REBUILD_LOCK_CLASS, key])


def _drop_abandoned_builds(kind):
    """Indices a crashed rebuild left marked as loading. We hold the lock, so none is live."""
    client = get_client()
    for index in index_state(kind)[1]:
        logger.warning("Deleting %s, left behind by a rebuild that did not finish.", index)
        client.indices.delete(index=index, ignore_unavailable=True)


def rebuild(kind, progress=None, batch_size=BATCH_SIZE):
    """Build a fresh index for a kind, load every indexable page, swap the alias, drop the
    old index. Search keeps answering from the old index until the swap, and changes made
    meanwhile reach the new index through the worker (see the module docstring)."""
    client = get_client()
    with rebuild_lock(kind), answering():
        _drop_abandoned_builds(kind)
        name = create_index(kind, bulk_loading=True, aliases=[building_alias(kind)])
        try:
            # Drawn after the index is marked as loading, and before any page is read.
            version = draw_version()
            actions = source_actions(build_sources(kind, batch_size=batch_size), name, version)
            count = _load(client, name, actions, progress, batch_size)
            client.indices.put_settings(index=name, settings={"index": {"refresh_interval": None}})
            client.indices.refresh(index=name)
            old = point_alias(kind, name)
        except BaseException:
            client.indices.delete(index=name, ignore_unavailable=True)
            raise
        for index in old:
            client.indices.delete(index=index, ignore_unavailable=True)
    logger.info("Rebuilt %s: %s documents in %s", kind, count, name)
    return name, count


LOAD_CONCURRENCY = 3  # bulk requests in flight while the next chunk is built


def _load(client, index, actions, progress, chunk_size):
    """Bulk-load `actions`, sending each chunk from a thread while the next one is built,
    so reading the database overlaps Elasticsearch's indexing. The database is only ever
    read here, on the calling thread."""
    count = 0
    with ThreadPoolExecutor(LOAD_CONCURRENCY, thread_name_prefix="search-load") as pool:
        in_flight = deque()
        for chunk in _chunks(actions, chunk_size):
            in_flight.append(pool.submit(_send_chunk, client, index, chunk))
            if len(in_flight) >= LOAD_CONCURRENCY:
                count += _finished(in_flight.popleft(), progress)
        while in_flight:
            count += _finished(in_flight.popleft(), progress)
    return count


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _send_chunk(client, index, actions, attempts=3):
    """One bulk request. A timeout is retried: the writes are versioned, so sending a chunk
    twice changes nothing."""
    for attempt in range(1, attempts + 1):
        try:
            results = list(
                streaming_bulk(
                    client.options(request_timeout=BULK_TIMEOUT_SECONDS),
                    actions,
                    chunk_size=len(actions),
                    raise_on_error=False,
                    max_retries=3,
                )
            )
            break
        except ConnectionTimeout:
            if attempt == attempts:
                raise
            logger.warning("A bulk request to %s timed out; sending it again.", index)
    for ok, item in results:
        _op, info = next(iter(item.items()))
        # 409: the worker already wrote a newer version of this page during the load.
        if not ok and info.get("status") != 409:
            raise RuntimeError(f"Could not index {info.get('_id')} into {index}: {info}")
    return len(actions)


def _finished(future, progress):
    sent = future.result()
    if progress is not None:
        progress(sent)
    return sent
