"""Building indices behind their aliases and writing documents to them.

What a document holds is built in `search.building`; this module creates indices, swaps
aliases, and sends the documents.

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
import logging
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import islice
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from elastic_transport import TransportError
from elasticsearch import BadRequestError
from elasticsearch.helpers import streaming_bulk
from elasticsearch_dsl import Index

from .analysis import SYNONYM_FILTER, load_synonyms, vocabulary_version
from .building import BATCH_SIZE, build_sources, kind_of
from .client import SearchUnavailable, get_client
from .documents import DOCUMENTS, MAPPING_VERSION, alias_name
from .models import draw_version

logger = logging.getLogger(__name__)

# Bulk writes get longer than ELASTICSEARCH_TIMEOUT (meant for searches): a busy node can
# take seconds over a chunk of 500 documents without being down.
BULK_TIMEOUT_SECONDS = 60


# --- Errors ---------------------------------------------------------------------------------


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
    rules = load_synonyms()
    body["settings"]["analysis"]["filter"][SYNONYM_FILTER]["synonyms"] = rules
    body["mappings"]["_meta"] = {"vocabulary_version": vocabulary_version(rules)}
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


def built_vocabulary_version(kind, client=None):
    """The vocabulary version the live index of a kind was built with (None: no index, or
    built before versions were recorded)."""
    client = client or get_client()
    targets = index_state(kind, client)[0]
    if not targets:
        return None
    mapping = client.indices.get_mapping(index=targets[0]).body[targets[0]]["mappings"]
    return mapping.get("_meta", {}).get("vocabulary_version")


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


# Bulk requests that time out or meet a busy node are sent again by the client itself: the
# writes are versioned, so sending a chunk twice changes nothing.
BULK_RETRIES = 3
BULK_RETRY_STATUSES = (429, 502, 503, 504)


def _send_chunk(client, index, actions):
    """One bulk request, retried by the client on a timeout or a busy node."""
    results = list(
        streaming_bulk(
            client.options(
                request_timeout=BULK_TIMEOUT_SECONDS,
                max_retries=BULK_RETRIES,
                retry_on_timeout=True,
                retry_on_status=BULK_RETRY_STATUSES,
            ),
            actions,
            chunk_size=len(actions),
            raise_on_error=False,
            # Documents a busy node refused one by one (429 inside the bulk answer).
            max_retries=3,
        )
    )
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
