"""Does the index say what the database says? `manage.py search_index check [--fix]`.

Versions are compared by content, not by change number: every document the database
would produce today is built and fingerprinted (a SHA-1 of its canonical JSON, without
`change_seq`), and compared with the fingerprint of the `_source` the index holds. A
change number can only show that a write happened; a content hash also finds what no
change number records: an update lost before the queue existed, a compliance row that
expired overnight (expiry is computed from today's date), an index loaded by older code.

Pages with a change waiting in the queue are left out of the comparison (they are about
to be written), so a check run beside a busy worker reports little that is not real;
run it again to confirm anything it finds.

`--fix` queues every drifted page and drains the queue, so repairs go through the same
versioned writes as any other change, then checks those pages again.
"""

import dataclasses
import hashlib
import json
import time

from elasticsearch.helpers import scan

from . import queue
from .building import build_sources
from .client import SERIALIZER, get_client
from .documents import alias_name
from .indexing import alias_targets, answering
from .models import IndexChange

SAMPLE_SIZE = 5


def fingerprint(source):
    """The same for a document built here and the `_source` Elasticsearch returns for it."""
    data = json.loads(SERIALIZER.dumps(source))
    data.pop("change_seq", None)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()


@dataclasses.dataclass
class Drift:
    kind: str
    in_database: int = 0  # documents the database says the index should hold
    in_index: int = 0  # documents the index holds
    missing: list = dataclasses.field(default_factory=list)  # should be there, are not
    extra: list = dataclasses.field(default_factory=list)  # are there, should not be
    stale: list = dataclasses.field(default_factory=list)  # there, but out of date
    pending: int = 0  # left out: a change for them is waiting in the queue
    ahead: list = dataclasses.field(default_factory=list)  # version above the queue sequence
    index_exists: bool = True

    @property
    def drifted(self):
        return sorted({*self.missing, *self.extra, *self.stale}, key=int)

    @property
    def clean(self):
        return self.index_exists and not self.drifted

    def summary(self):
        if not self.index_exists:
            return f"{self.kind}: there is no index. Run `manage.py search_index rebuild`."
        parts = [
            f"{self.kind}: {self.in_database} in the database, {self.in_index} in the index",
            _counted("missing", self.missing),
            _counted("extra", self.extra),
            _counted("stale", self.stale),
        ]
        if self.pending:
            parts.append(f"{self.pending} waiting in the queue (not compared)")
        return "; ".join(parts)


def _counted(label, ids):
    if not ids:
        return f"0 {label}"
    sample = ", ".join(str(pk) for pk in sorted(ids, key=int)[:SAMPLE_SIZE])
    more = ", …" if len(ids) > SAMPLE_SIZE else ""
    return f"{len(ids)} {label} (e.g. {sample}{more})"


def _pending_ids(kind):
    return {
        str(pk) for pk in IndexChange.objects.filter(kind=kind).values_list("object_id", flat=True)
    }


def find_drift(kind, ids=None):
    """Compare the database with the index for one kind (all pages, or the given ids)."""
    client = get_client()
    drift = Drift(kind)
    with answering():
        if not alias_targets(kind):
            drift.index_exists = False
            return drift
    pending = _pending_ids(kind)
    expected = {pk: fingerprint(source) for pk, source in build_sources(kind, ids=ids)}
    actual, versions = {}, {}
    query = {"match_all": {}} if ids is None else {"ids": {"values": [str(i) for i in ids]}}
    with answering():
        for hit in scan(
            client, index=alias_name(kind), query={"query": query}, size=1000, version=True
        ):
            actual[hit["_id"]] = fingerprint(hit["_source"])
            versions[hit["_id"]] = hit.get("_version", 0)
    pending |= _pending_ids(kind)
    drift.in_database, drift.in_index = len(expected), len(actual)
    compared = lambda ids: [pk for pk in ids if pk not in pending]  # noqa: E731
    drift.missing = compared(expected.keys() - actual.keys())
    drift.extra = compared(actual.keys() - expected.keys())
    drift.stale = compared(
        pk for pk in expected.keys() & actual.keys() if expected[pk] != actual[pk]
    )
    drift.pending = len(pending & (expected.keys() | actual.keys()))
    sequence = queue.current_sequence()
    drift.ahead = sorted((pk for pk, version in versions.items() if version > sequence), key=int)
    return drift


def fix_drift(drift, wait_seconds=30):
    """Queue every drifted page, apply the queue, and check those pages again."""
    ids = [int(pk) for pk in drift.drifted]
    if not ids:
        return drift
    queue.enqueue(drift.kind, ids)
    queue.drain()
    deadline = time.monotonic() + wait_seconds
    # A running worker may have taken some of the rows; wait for it to finish them.
    while (
        IndexChange.objects.filter(kind=drift.kind, object_id__in=ids).exists()
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
        queue.drain()
    with answering():
        get_client().indices.refresh(index=alias_name(drift.kind))
    return find_drift(drift.kind, ids=ids)
