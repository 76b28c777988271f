"""The index queue in tests: what is waiting in it, and draining it."""

from search import queue
from search.models import IndexChange


def queued(kind=None):
    rows = IndexChange.objects.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    return sorted({(row.kind, row.object_id) for row in rows})


def drain():
    result = queue.drain(refresh=True)
    assert result.failed == 0, result.errors
    return result
