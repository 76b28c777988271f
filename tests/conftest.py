"""Shared fixtures. Services the suite depends on are real: a test that needs PostgreSQL or
Elasticsearch skips on a laptop without them, and fails when CI=true."""

import os
from io import StringIO

import pytest
from django.core import serializers
from django.db import connection, connections, transaction
from django.db.models.constants import OnConflict


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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test database, restored more quickly after each transactional test
    with serialized_rollback (the browser, production, jobs and other tests whose work
    another thread or process must see): the same rows as Django puts back, with one INSERT
    per table instead of a save per row."""
    for alias in connections:
        creation = connections[alias].creation
        creation.deserialize_db_from_string = _restore_rows(connections[alias])
    yield


def _restore_rows(database):
    parsed = {}

    def restore(data):
        if data not in parsed:
            parsed.clear()
            parsed[data] = _rows_by_model(data, database.alias)
        tables, many_to_many = parsed[data]
        with transaction.atomic(using=database.alias):
            for model, rows in tables.items():
                fields = [
                    field for field in model._meta.local_concrete_fields if not field.generated
                ]
                for start in range(0, len(rows), 500):
                    model._base_manager.using(database.alias)._insert(
                        rows[start : start + 500],
                        fields=fields,
                        using=database.alias,
                        raw=True,
                        # Before the first such test nothing was flushed: the rows are there.
                        on_conflict=OnConflict.IGNORE,
                    )
            for row, values in many_to_many:
                for name, related in values.items():
                    getattr(row, name).set(related)
            database.check_constraints(table_names=[model._meta.db_table for model in tables])

    return restore


def _rows_by_model(data, alias):
    """What Django's deserialize_db_from_string saves, read once: rows by model, in the
    order they were written, and their many-to-many links."""
    tables, many_to_many = {}, []
    for deserialized in serializers.deserialize("json", StringIO(data), using=alias):
        tables.setdefault(type(deserialized.object), []).append(deserialized.object)
        if deserialized.m2m_data:
            many_to_many.append((deserialized.object, deserialized.m2m_data))
    return tables, many_to_many


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
    from search.analysis import forget_known_words
    from search.results import forget_site_roots

    forget_site_roots()
    # Nor the lay terms another test made.
    forget_known_words()


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
