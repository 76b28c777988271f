"""Playing "Elasticsearch is down": the app pointed at an address where nothing answers."""

from contextlib import contextmanager

from django.test import override_settings

from search import client as search_client

CLOSED_PORT_URL = "http://127.0.0.1:9"


@contextmanager
def elasticsearch_at(url):
    """Point the app at another address (a closed port plays "Elasticsearch is down")."""
    search_client._client_for.cache_clear()
    try:
        with override_settings(ELASTICSEARCH_URL=url):
            yield
    finally:
        search_client._client_for.cache_clear()
