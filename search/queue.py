"""The durable queue between a change in the database and the index.

Why a queue: a publish must never fail or wait because Elasticsearch is slow or down. The
signal handlers (search/signals.py) only insert `IndexChange` rows, in the transaction of
the change itself, so the row commits or rolls back with it. The worker
(`manage.py search_worker`) drains the table in batches and deletes a row only once
Elasticsearch has acknowledged the document: nothing is lost, whatever fails in between.

How a batch is applied (`process_batch`):

1. Claim up to `batch_size` rows that are due, oldest first, with
   `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers never take the
   same rows (SQLite has no row locks; there, run one worker).
2. Coalesce the rows per document: ten edits of one product are one index write.
3. Draw a version from the queue's own id sequence (`draw_version`), *then* build the
   documents from the database as it is now, and write them with that number as the
   Elasticsearch external version (`version_type=external_gte`); deletions are versioned
   too. A write that lost the race to a newer one gets a version conflict, which is
   expected and counted, not an error.

   Why the version is drawn at processing time rather than being the row's own id: ids are
   handed out when a transaction inserts its row, not when it commits. If a transaction
   that took id 10 commits after one that took id 11, and both touched the same product,
   the document built for 11 cannot contain change 10; writing change 10 later with
   version 10 would be refused as older, and the change would be lost. A version drawn
   after the rows are claimed and before the database is read is always larger than the
   id of every change the document contains, and larger than the version of any write
   whose read came earlier, so the highest version in the index is always the freshest
   read. The rebuild and `check --fix` follow the same rule (see search.indexing).
4. Delete the rows that were written; on failure add one to `attempts`, record the cause in
   `last_error` and push `available_at` back with capped exponential backoff and jitter.

Changes made during a rebuild reach the new index because the worker writes to every
index a rebuild is loading as well as the live one (see `indexing.write_targets`).
"""

import dataclasses
import logging
import random
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.db.models.functions import Now
from django.utils import timezone
from elasticsearch import ApiError

from . import fulltext, indexing
from .client import SearchUnavailable, is_configured
from .models import IndexChange, IndexKind, current_sequence, draw_version  # noqa: F401

logger = logging.getLogger(__name__)

KINDS = tuple(IndexKind.values)
NOTIFY_CHANNEL = "registry_search_queue"
BACKOFF_BASE_SECONDS = 2
BACKOFF_CAP_SECONDS = 300
INSERT_BATCH_SIZE = 1000
ERROR_MAX_LENGTH = 2000

_state = threading.local()


# --- Writing to the queue -------------------------------------------------------------------


@contextmanager
def suppressed():
    """Enqueue nothing inside the block. For bulk loads that are followed by a rebuild."""
    previous = getattr(_state, "suppressed", False)
    _state.suppressed = True
    try:
        yield
    finally:
        _state.suppressed = previous


def tracking():
    """Changes are tracked unless a bulk load is running: the database engine's words
    (search.fulltext) follow every change, with or without Elasticsearch."""
    return not getattr(_state, "suppressed", False)


def enabled():
    """Changes are queued only when Elasticsearch is configured and no bulk load is running."""
    return is_configured() and tracking()


def enqueue(kind, object_ids):
    """Queue the documents of `kind` with these page ids, and mark their words stale for the
    database engine (search.fulltext.mark_stale). Returns how many queue rows were written.

    Call it inside the transaction that makes the change, so the rows commit with it.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown document kind {kind!r}; expected one of {', '.join(KINDS)}.")
    if not tracking():
        return 0
    ids = sorted({int(pk) for pk in object_ids})
    if not ids:
        return 0
    fulltext.mark_stale(kind, ids)
    if not enabled():
        return 0
    IndexChange.objects.bulk_create(
        [IndexChange(kind=kind, object_id=pk) for pk in ids], batch_size=INSERT_BATCH_SIZE
    )
    _notify()
    return len(ids)


def enqueue_pages(kind, pages):
    """Queue every page of a queryset, in chunks (a move or a rename can touch thousands)."""
    if not tracking():
        return 0
    total = 0
    chunk = []
    for pk in pages.values_list("pk", flat=True).order_by().iterator(INSERT_BATCH_SIZE):
        chunk.append(pk)
        if len(chunk) == INSERT_BATCH_SIZE:
            total += enqueue(kind, chunk)
            chunk = []
    return total + enqueue(kind, chunk)


def _notify():
    """Wake a listening worker at commit (PostgreSQL delivers NOTIFY only on commit)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {NOTIFY_CHANNEL}")


# --- Reading the queue ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class QueueStats:
    depth: int
    failing: int
    oldest_created_at: object  # datetime or None

    @property
    def oldest_age_seconds(self):
        if self.oldest_created_at is None:
            return None
        return max(0.0, (timezone.now() - self.oldest_created_at).total_seconds())


def stats():
    """Queue depth, how many rows have failed at least once, and the oldest row's time."""
    numbers = IndexChange.objects.aggregate(
        depth=Count("id"), oldest=Min("created_at"), failing=Count("id", filter=Q(attempts__gt=0))
    )
    return QueueStats(
        depth=numbers["depth"], failing=numbers["failing"], oldest_created_at=numbers["oldest"]
    )


def last_error():
    row = IndexChange.objects.filter(attempts__gt=0).order_by("-id").only("last_error").first()
    return row.last_error if row else ""


# --- Draining the queue ---------------------------------------------------------------------


def backoff_seconds(attempts, rng=random):
    """Delay before retry number `attempts`: 2, 4, 8 ... seconds, capped at five minutes,
    with ±25% jitter so that workers retrying after an outage do not arrive together."""
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return delay * rng.uniform(0.75, 1.25)


@dataclasses.dataclass
class BatchResult:
    claimed: int = 0  # queue rows taken
    indexed: int = 0  # documents written
    deleted: int = 0  # documents removed (no longer live and public)
    superseded: int = 0  # writes refused because the index already had a newer version
    failed: int = 0  # documents that could not be written; their rows will be retried
    errors: list = dataclasses.field(default_factory=list)

    @property
    def documents(self):
        return self.indexed + self.deleted + self.superseded + self.failed

    def add(self, other):
        for field in ("claimed", "indexed", "deleted", "superseded", "failed"):
            setattr(self, field, getattr(self, field) + getattr(other, field))
        self.errors.extend(other.errors)


def _claim(batch_size):
    rows = IndexChange.objects.filter(available_at__lte=Now()).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    return list(rows[:batch_size])


# A batch this small is an editor publishing, not a backlog: refresh the index after it so
# the change is searchable at once rather than at the next refresh interval (1 s).
REFRESH_AFTER_AT_MOST = 50


def process_batch(batch_size=500, refresh=None):
    """Apply one batch of due changes to the index. Returns what happened. `refresh`: make
    the writes searchable before returning (None: only for small batches)."""
    with transaction.atomic():
        rows = _claim(batch_size)
        result = BatchResult(claimed=len(rows))
        if not rows:
            return result
        rows_by_document = {}
        for row in rows:
            rows_by_document.setdefault((row.kind, row.object_id), []).append(row)
        if refresh is None:
            refresh = len(rows_by_document) <= REFRESH_AFTER_AT_MOST
        version = draw_version()
        failures = {}  # (kind, object_id) -> error message
        for kind in KINDS:
            ids = sorted(pk for row_kind, pk in rows_by_document if row_kind == kind)
            if not ids:
                continue
            outcome = _sync(indexing, kind, ids, version, refresh)
            result.indexed += outcome.indexed
            result.deleted += outcome.deleted
            result.superseded += outcome.superseded
            for pk, error in outcome.errors.items():
                failures[(kind, pk)] = error
        done = [
            row.pk
            for key, group in rows_by_document.items()
            if key not in failures
            for row in group
        ]
        IndexChange.objects.filter(pk__in=done).delete()
        if failures:
            result.failed = len(failures)
            _record_failures(rows_by_document, failures)
            result.errors = sorted(set(failures.values()))
    return result


def _sync(indexing, kind, ids, version, refresh):
    """Write the documents for `ids`. Elasticsearch failing fails them all; a document
    whose build raises is isolated, so the others are still written."""
    try:
        with transaction.atomic():  # a database error rolls back this kind only
            return indexing.sync_documents(kind, ids, version, refresh=refresh)
    except SearchUnavailable as exc:
        return indexing.SyncResult(errors=dict.fromkeys(ids, str(exc)))
    except ApiError as exc:
        message = f"Elasticsearch refused the write: {exc}"
        return indexing.SyncResult(errors=dict.fromkeys(ids, message))
    except Exception as exc:
        if len(ids) == 1:
            logger.exception("Could not build the %s document for page %s", kind, ids[0])
            return indexing.SyncResult(errors={ids[0]: f"{type(exc).__name__}: {exc}"})
    # Some document failed to build: find which, and write the others.
    combined = indexing.SyncResult()
    for pk in ids:
        combined.add(_sync(indexing, kind, [pk], version, refresh))
    return combined


def _record_failures(rows_by_document, failures):
    """attempts + 1, the cause, and the next try pushed back; rows grouped so that each
    distinct (attempts, error) is one UPDATE."""
    groups = {}
    for key, error in failures.items():
        for row in rows_by_document[key]:
            groups.setdefault((row.attempts + 1, error), []).append(row.pk)
    for (attempts, error), pks in groups.items():
        delay = timedelta(seconds=backoff_seconds(attempts))
        IndexChange.objects.filter(pk__in=pks).update(
            attempts=attempts,
            available_at=Now() + delay,
            last_error=error[:ERROR_MAX_LENGTH],
        )


def drain(batch_size=500, max_batches=None, refresh=None):
    """Process batches until nothing is due (or `max_batches`). Returns the totals."""
    total = BatchResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        result = process_batch(batch_size, refresh=refresh)
        batches += 1
        total.add(result)
        if result.claimed == 0 or result.failed == result.documents:
            # Nothing due, or nothing in the batch succeeded (Elasticsearch is down): stop
            # here and let the backoff decide when to try again.
            break
    return total
