"""Indices for a test: built from what the factories made, under a prefix of the test's
own, and read back.

Run with SEARCH_INDEX_PREFIX set to a prefix of your own (the settings read it) so tests on a
shared Elasticsearch node never collide; every index made here starts with that prefix.
"""

import os
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from search import indexing
from search.documents import alias_name
from search.engine import forget_failures
from search.kinds import KINDS
from search.results import VOCABULARY_CACHE_KEY


def index_everything(es_client):
    """Build fresh indices for every kind from the database, then make them searchable."""
    forget_failures()
    cache.delete(VOCABULARY_CACHE_KEY)
    for kind in KINDS:
        indexing.rebuild(kind)
    es_client.indices.refresh(index=f"{settings.SEARCH_INDEX_PREFIX}-*")


def drop_indices(es_client):
    es_client.indices.delete(
        index=f"{settings.SEARCH_INDEX_PREFIX}-*", ignore_unavailable=True, allow_no_indices=True
    )


def index_on_demand(es_client, settings):
    """The body of each module's `indexed` fixture: call indexed() after making the test's
    data; the indices are dropped afterwards.

        @pytest.fixture
        def indexed(es_client, settings):
            yield from index_on_demand(es_client, settings)

    Names carry the process id too, so two runs on one node never touch each other's indices.
    """
    settings.SEARCH_INDEX_PREFIX = f"{settings.SEARCH_INDEX_PREFIX}-{os.getpid()}"

    def index():
        index_everything(es_client)

    yield index
    drop_indices(es_client)


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


def indexed(es_client, kind, pk):
    """The document's source as the alias serves it, or None."""
    response = es_client.options(ignore_status=404).get(index=alias_name(kind), id=str(pk))
    return response["_source"] if response.get("found") else None


def search_ids(es_client, kind, query):
    es_client.indices.refresh(index=alias_name(kind))
    hits = es_client.search(index=alias_name(kind), query=query, size=100)["hits"]["hits"]
    return sorted(int(hit["_id"]) for hit in hits)
