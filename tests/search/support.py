"""Helpers for the index-keeping tests: private index names, and reading the index back."""

import uuid
from contextlib import contextmanager

from django.conf import settings
from django.test import override_settings

from search import client as search_client
from search import queue
from search.documents import alias_name
from search.models import IndexChange

CLOSED_PORT_URL = "http://127.0.0.1:9"


@contextmanager
def private_indices(es_client):
    """A prefix of our own, so tests never see each other's indices; deleted afterwards."""
    prefix = f"{settings.SEARCH_INDEX_PREFIX}-{uuid.uuid4().hex[:8]}"
    try:
        with override_settings(SEARCH_INDEX_PREFIX=prefix):
            yield prefix
    finally:
        names = list(es_client.indices.get(index=f"{prefix}-*", expand_wildcards="all"))
        if names:
            es_client.indices.delete(index=",".join(names), ignore_unavailable=True)


@contextmanager
def elasticsearch_at(url):
    """Point the app at another address (a closed port plays "Elasticsearch is down")."""
    search_client._client_for.cache_clear()
    try:
        with override_settings(ELASTICSEARCH_URL=url):
            yield
    finally:
        search_client._client_for.cache_clear()


def queued(kind=None):
    rows = IndexChange.objects.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    return sorted({(row.kind, row.object_id) for row in rows})


def drain():
    result = queue.drain(refresh=True)
    assert result.failed == 0, result.errors
    return result


def indexed(es_client, kind, pk):
    """The document's source as the alias serves it, or None."""
    response = es_client.options(ignore_status=404).get(index=alias_name(kind), id=str(pk))
    return response["_source"] if response.get("found") else None


def search_ids(es_client, kind, query):
    es_client.indices.refresh(index=alias_name(kind))
    hits = es_client.search(index=alias_name(kind), query=query, size=100)["hits"]["hits"]
    return sorted(int(hit["_id"]) for hit in hits)
