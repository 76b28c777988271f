"""/health/: database, search and queue state as JSON; 503 only when the database is down."""

import datetime
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from search import indexing, queue
from search.models import IndexChange

from ..registry.factories import ProductFactory
from .indices import private_indices
from .outage import CLOSED_PORT_URL, elasticsearch_at

pytestmark = pytest.mark.django_db


def test_without_elasticsearch_the_site_is_healthy(client, settings):
    settings.ELASTICSEARCH_URL = ""
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True},
        "search": {"configured": False, "ok": None},
        "queue": {"ok": True, "depth": 0, "failing": 0, "oldest_age_seconds": None},
    }


@pytest.mark.elasticsearch
def test_reports_cluster_aliases_counts_and_queue(client, es_client):
    with private_indices(es_client):
        ProductFactory()
        for kind in queue.KINDS:
            indexing.rebuild(kind)
        IndexChange.objects.all().delete()
        IndexChange.objects.create(kind="product", object_id=1)
        IndexChange.objects.update(created_at=timezone.now() - datetime.timedelta(seconds=90))

        body = client.get("/health/").json()

    assert body["status"] == "ok"
    assert body["search"]["ok"] is True
    assert body["search"]["cluster_status"] in {"green", "yellow"}
    assert body["search"]["indices"]["product"]["present"] is True
    assert body["search"]["indices"]["product"]["documents"] == 1
    assert body["search"]["indices"]["guide"]["documents"] == 0
    assert body["queue"]["depth"] == 1
    assert 89 <= body["queue"]["oldest_age_seconds"] < 120


def test_search_down_is_degraded_not_down_and_tells_no_secrets(client):
    secret_url = CLOSED_PORT_URL.replace("//", "//admin:s3cret@")
    with elasticsearch_at(secret_url):
        response = client.get("/health/")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["search"]["ok"] is False
    assert body["search"]["error"] == "ConnectionError"
    assert "s3cret" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_database_down_is_503(client, settings):
    settings.ELASTICSEARCH_URL = ""
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == {"ok": False, "error": "OperationalError"}
