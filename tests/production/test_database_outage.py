"""The database goes away and comes back (issue 12, finding 7): visitors get the designed page
as 503 with Retry-After while it is down, and the site answers again as soon as it is back,
without a restart, on connections it kept open (CONN_HEALTH_CHECKS).

The site runs under gunicorn with the production settings on a private PostgreSQL cluster
that this test makes, stops and starts; the shared database is only read from (a copy of the
migrated test database)."""

import pytest
from django.db import connection

from tests.conftest import _require
from tests.registry.factories import ProductFactory

from .cluster import PrivateCluster
from .server import database_url, fetch, gunicorn, production_env

pytestmark = [
    pytest.mark.postgres,
    # gunicorn, in another process, sees only committed rows; serialized_rollback puts back
    # the reference data the migrations load once the test's rows are flushed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def private_cluster(db):
    if connection.vendor != "postgresql":
        _require("PostgreSQL", f"the database is {connection.vendor}; set DATABASE_URL")
    ProductFactory(title="Ward Watch", slug="ward-watch")
    cluster = PrivateCluster()
    try:
        cluster.start()
        cluster.copy_database_from(database_url())
        yield cluster
    finally:
        cluster.remove()


def test_database_outage_is_a_503_and_the_site_recovers_without_a_restart(
    private_cluster, production_static, tmp_path
):
    env = production_env(
        DATABASE_URL=private_cluster.url,
        STATIC_ROOT=production_static,
        DATABASE_CONN_MAX_AGE=600,
        SECURE_SSL_REDIRECT="false",
    )
    product_path = "/products/ward-watch/"
    with gunicorn(env, workers=2, threads=4, log_path=tmp_path / "gunicorn.log") as port:
        # Warm: every worker thread holds an open connection.
        for _ in range(16):
            status, _, body = fetch(port, product_path)
            assert status == 200, body[:500]

        private_cluster.stop()
        for path in (product_path, "/", "/search/?q=ward"):
            status, headers, body = fetch(port, path)
            assert status == 503, f"{path} answered {status} with the database down"
            assert headers.get("retry-after") == "30"
            assert "Sorry, the service is unavailable" in body.decode()
            assert "content-security-policy" in headers

        private_cluster.start()
        answers = [fetch(port, product_path)[0] for _ in range(40)]
        assert answers == [200] * 40, f"after the restart: {answers}"
