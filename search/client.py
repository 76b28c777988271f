"""The one place the Elasticsearch client is made."""

from functools import lru_cache

import orjson
from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch.serializer import NdjsonSerializer, OrjsonSerializer


class OrjsonNdjsonSerializer(NdjsonSerializer):
    """Newline-delimited JSON (bulk writes, multi-searches) through orjson as well."""

    def json_dumps(self, data):
        return orjson.dumps(data, default=self.default)

    def json_loads(self, data):
        return orjson.loads(data)


# orjson reads and writes JSON several times faster than the standard library: every bulk
# load and every search answer (with its facet counts) goes through it.
SERIALIZER = OrjsonSerializer()
SERIALIZERS = {
    SERIALIZER.mimetype: SERIALIZER,
    OrjsonNdjsonSerializer.mimetype: OrjsonNdjsonSerializer(),
}


class SearchUnavailable(RuntimeError):
    """Elasticsearch cannot answer (not configured, down, refused, or without an index).
    Searches answer from the database instead; index writes stay queued. The message names
    the cause, and where there is one, the fix."""


class SearchNotConfigured(RuntimeError):
    """ELASTICSEARCH_URL is empty: search answers from the database instead."""


def is_configured():
    return bool(settings.ELASTICSEARCH_URL)


@lru_cache(maxsize=4)
def _client_for(url, timeout):
    return Elasticsearch(
        url,
        request_timeout=timeout,
        retry_on_timeout=False,
        max_retries=1,
        serializers=SERIALIZERS,
    )


def get_client():
    if not is_configured():
        raise SearchNotConfigured(
            "ELASTICSEARCH_URL is not set. Set it to the address of an Elasticsearch 8 node, "
            "such as http://127.0.0.1:9200, or run `make services`."
        )
    return _client_for(settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_TIMEOUT)
