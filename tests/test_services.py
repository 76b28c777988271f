"""The suite runs against the real services of record, not stand-ins."""

import pytest


@pytest.mark.postgres
def test_database_is_postgresql_15(postgres):
    with postgres.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        (version,) = cursor.fetchone()
    assert 150000 <= int(version) < 160000, f"expected PostgreSQL 15, got {version}"


@pytest.mark.elasticsearch
def test_elasticsearch_is_8_19(es_client):
    info = es_client.info()
    assert info["version"]["number"].startswith("8.19."), info["version"]
    health = es_client.cluster.health(wait_for_status="yellow", timeout="10s")
    assert health["status"] in {"green", "yellow"}
