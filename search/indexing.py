"""Turning pages into index documents, and building indices behind their aliases.

Documents are built in batches with every related row prefetched, so building one
document or a hundred thousand costs a fixed number of queries per batch. Only live,
public pages are ever turned into documents: `indexable_pages` is the one filter.

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
import zlib
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone
from elastic_transport import TransportError
from elasticsearch import BadRequestError
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
from .queue import draw_version

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
                "node lacks the registry analysis plugin: install search/es-analysis-plugin "
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


def bulk_actions(documents, index, versions=None):
    """Index actions. `versions` is one version for all, or {id: version}; with it,
    Elasticsearch refuses a write older than the document it holds."""
    for document in documents:
        action = document.to_dict(include_meta=True)
        action["_index"] = index
        if versions is not None:
            seq = versions if isinstance(versions, int) else versions[action["_id"]]
            action["_source"]["change_seq"] = seq
            action["version"] = seq
            action["version_type"] = "external_gte"
        yield action


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
        documents = list(build_documents(kind, ids=ids))
        present = {document.meta.id for document in documents}
        absent = [str(pk) for pk in ids if str(pk) not in present]
        actions = []
        for index in targets:
            actions.extend(bulk_actions(documents, index, version))
            actions.extend(delete_actions(absent, index, version))
        outcomes = {}  # id -> list of (ok, superseded, error, index_missing)
        for ok, item in streaming_bulk(
            client, actions, chunk_size=BATCH_SIZE, raise_on_error=False, max_retries=0
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


@contextmanager
def rebuild_lock(kind):
    """One rebuild per kind at a time (a PostgreSQL advisory lock, released if the process
    dies). Without PostgreSQL there is no lock: run one rebuild at a time."""
    if connection.vendor != "postgresql":
        yield
        return
    key = zlib.crc32(alias_name(kind).encode()) - 2**31
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


REBUILD_LOCK_CLASS = 0x5EA4C  # the advisory-lock namespace for search rebuilds


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
            count = _load(
                client,
                name,
                build_documents(kind, batch_size=batch_size),
                version,
                progress,
                batch_size,
            )
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


def _load(client, index, documents, version, progress, batch_size):
    count = 0
    for ok, item in streaming_bulk(
        client,
        bulk_actions(documents, index, version),
        chunk_size=batch_size,
        raise_on_error=False,
        max_retries=3,
    ):
        _op, info = next(iter(item.items()))
        # 409: the worker already wrote a newer version of this page during the load.
        if not ok and info.get("status") != 409:
            raise RuntimeError(f"Could not index {info.get('_id')} into {index}: {info}")
        count += 1
        if progress is not None:
            progress(1)
    return count
