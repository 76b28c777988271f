"""Helpers the query-side search tests share: indexing what the factories made, and asking
the page and the API.

Run with SEARCH_INDEX_PREFIX set to a prefix of your own (the settings read it) so tests on a
shared Elasticsearch node never collide; every index made here starts with that prefix.
"""

import os

from django.conf import settings
from django.core.cache import cache

from search import indexing
from search.engine import forget_failures
from search.query import KINDS
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


def api_search(client, **params):
    response = client.get("/api/v1/search", params, headers={"accept": "application/json"})
    assert response.status_code == 200, response.content
    return response.json()


def titles(body):
    return [result["title"] for result in body["results"]]


def facet_counts(body, name):
    for facet in body["facets"]:
        if facet["name"] == name:
            return {option["value"]: option["count"] for option in facet["options"]}
    return {}


def page_text(response):
    """The page as a reader sees it: no tags (so highlighted words read whole), spaces
    collapsed."""
    from django.utils.html import strip_tags

    return " ".join(strip_tags(response.content.decode()).split())
