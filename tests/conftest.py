"""Shared fixtures. Services the suite depends on are real: a test that needs PostgreSQL or
Elasticsearch skips on a laptop without them, and fails when CI=true."""

import os

import pytest
from django.db import connection, transaction


def _require(service, reason):
    message = f"{service} is required for this test: {reason}. Run `make test`, which starts it."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        _require("PostgreSQL", f"the database is {connection.vendor}; set DATABASE_URL")
    return connection


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction around a whole module, rolled back after its last test: a module-scoped
    fixture that asks for it makes rows once for every test of the module. Each test still
    runs in a savepoint of its own (pytest-django's `db`), so what one test writes is gone
    before the next. Only for modules whose every test wants those rows, and none of whose
    tests is transactional (a flush would empty the shared rows)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def es_client():
    return _elasticsearch_client()


@pytest.fixture(scope="module")
def module_es_client():
    """es_client, for module-scoped fixtures (module_transaction) that index once."""
    return _elasticsearch_client()


def _elasticsearch_client():
    from django.conf import settings

    from search.client import get_client

    if not settings.ELASTICSEARCH_URL:
        _require("Elasticsearch", "ELASTICSEARCH_URL is not set")
    client = get_client()
    try:
        # Not client.info(): GET / answers 405 on the distribution `make services` runs.
        client.cluster.health()
    except Exception as exc:
        _require("Elasticsearch", f"{settings.ELASTICSEARCH_URL} did not answer ({exc})")
    return client


@pytest.fixture(autouse=True)
def _fresh_site_roots():
    """Each test's sites are its own (a rolled-back transaction sends no delete signal), so
    no test reads the root paths another test's sites had: as each new request does."""
    from search.results import forget_site_roots

    forget_site_roots()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit counters live in the default cache (a database table): each test that
    reaches the database starts with none. Tests without the database have no counters."""
    from django.core.cache import caches

    uses_database = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if not uses_database:
        yield
        return
    # Set up the test's database access first, so it is still open when this clears again.
    request.getfixturevalue("_django_db_helper")
    caches["default"].clear()
    yield
    caches["default"].clear()
