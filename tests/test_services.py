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
    nodes = es_client.nodes.info(filter_path="nodes.*.version")["nodes"]
    versions = {node["version"] for node in nodes.values()}
    assert versions and all(v.startswith("8.19.") for v in versions), versions
    health = es_client.cluster.health(wait_for_status="yellow", timeout="10s")
    assert health["status"] in {"green", "yellow"}
