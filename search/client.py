"""The one place the Elasticsearch client is made."""

from functools import lru_cache

from django.conf import settings
from elasticsearch import Elasticsearch


class SearchNotConfigured(RuntimeError):
    """ELASTICSEARCH_URL is empty: search answers from the database instead."""


def is_configured():
    return bool(settings.ELASTICSEARCH_URL)


@lru_cache(maxsize=4)
def _client_for(url, timeout):
    return Elasticsearch(url, request_timeout=timeout, retry_on_timeout=False, max_retries=1)


def get_client():
    if not is_configured():
        raise SearchNotConfigured(
            "ELASTICSEARCH_URL is not set. Set it to the address of an Elasticsearch 8 node, "
            "such as http://127.0.0.1:9200, or run `make services`."
        )
    return _client_for(settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_TIMEOUT)
