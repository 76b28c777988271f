"""Rebuilding behind the alias while search answers and editors publish; checking the
index against the database and repairing it."""

import threading

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from registry.models import ProductPage
from search import indexing
from search.documents import alias_name
from search.drift import find_drift

from ..registry.factories import ProductFactory
from .indices import indexed, private_indices, search_ids
from .queueing import drain

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch]


@pytest.fixture
def index(es_client):
    with private_indices(es_client):
        yield es_client


def publish_title(product, title):
    page = ProductPage.objects.get(pk=product.pk)
    page.title = title
    page.save_revision().publish()


def test_search_answers_throughout_a_rebuild(index):
    products = [ProductFactory() for _ in range(25)]
    indexing.rebuild("product")
    alias = alias_name("product")
    answers, failures, stop = [], [], threading.Event()

    def search_in_a_loop():
        while not stop.is_set():
            try:
                answers.append(index.search(index=alias, size=0)["hits"]["total"]["value"])
            except Exception as exc:
                failures.append(exc)

    searcher = threading.Thread(target=search_in_a_loop)
    searcher.start()
    try:
        for _ in range(3):
            # Small batches make the load slow enough for many searches to overlap it.
            indexing.rebuild("product", batch_size=2)
    finally:
        stop.set()
        searcher.join()

    assert failures == []
    assert len(answers) > 20
    assert set(answers) == {len(products)}


def test_a_change_applied_during_a_rebuild_reaches_the_new_index(index):
    first, *_ = [ProductFactory(title=f"Clinic app {n}") for n in range(6)]
    indexing.rebuild("product")
    drain()
    calls = []

    def publish_midway(step):
        calls.append(step)
        if len(calls) == 3:  # the batch holding `first` has been read and loaded
            publish_title(first, "Renamed during the rebuild")
            drain()  # the worker, running meanwhile, writes to the old and the new index

    indexing.rebuild("product", progress=publish_midway, batch_size=2)

    assert indexed(index, "product", first.pk)["title"] == "Renamed during the rebuild"


def test_a_change_queued_during_a_rebuild_is_applied_after_it(index):
    first, second, *_ = [ProductFactory() for _ in range(6)]
    indexing.rebuild("product")
    drain()
    calls = []

    def edit_midway(step):
        calls.append(step)
        if len(calls) == 3:
            publish_title(first, "Renamed while the worker was stopped")
            ProductPage.objects.get(pk=second.pk).unpublish()

    indexing.rebuild("product", progress=edit_midway, batch_size=2)
    drain()

    assert indexed(index, "product", first.pk)["title"] == "Renamed while the worker was stopped"
    assert indexed(index, "product", second.pk) is None


def test_only_one_rebuild_of_a_kind_runs_at_a_time(index, postgres):
    ProductFactory()
    settings = connection.settings_dict
    key = indexing.rebuild_lock_key("product")
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
        autocommit=True,
    ) as other_session:
        other_session.execute("SELECT pg_advisory_lock(%s, %s)", [indexing.REBUILD_LOCK_CLASS, key])
        with pytest.raises(indexing.RebuildInProgress):
            indexing.rebuild("product")
        other_session.execute(
            "SELECT pg_advisory_unlock(%s, %s)", [indexing.REBUILD_LOCK_CLASS, key]
        )
    _name, count = indexing.rebuild("product")
    assert count == 1


def test_a_rebuild_clears_up_after_one_that_crashed(index):
    ProductFactory()
    abandoned = indexing.create_index("product", aliases=[indexing.building_alias("product")])
    indexing.rebuild("product")
    assert not index.indices.exists(index=abandoned)
    assert indexing.index_state("product")[1] == []


def test_the_rebuild_command_swaps_every_alias(index, capsys):
    product = ProductFactory(title="Remote monitoring hub")
    call_command("search_index", "rebuild")
    out = capsys.readouterr().out
    for kind in ("product", "case_study", "guide"):
        assert f"{alias_name(kind)} now points at" in out
    assert search_ids(index, "product", {"match": {"title": "monitoring"}}) == [product.pk]


def test_check_finds_missing_extra_and_stale_documents_and_fix_repairs_them(index, capsys):
    missing, stale, fine = ProductFactory(), ProductFactory(), ProductFactory()
    indexing.rebuild("product")
    drain()
    target = indexing.alias_targets("product")[0]
    index.delete(index=target, id=str(missing.pk), refresh=True)
    index.index(index=target, id="999999", document={"kind": "product", "title": "Ghost"})
    ProductPage.objects.filter(pk=stale.pk).update(title="Changed without a signal")
    index.indices.refresh(index=target)

    with pytest.raises(CommandError, match="check --fix"):
        call_command("search_index", "check", "--kind", "product")
    out = capsys.readouterr().out
    assert f"1 missing (e.g. {missing.pk})" in out
    assert "1 extra (e.g. 999999)" in out
    assert f"1 stale (e.g. {stale.pk})" in out

    call_command("search_index", "check", "--kind", "product", "--fix")
    assert "repaired 3 of 3" in capsys.readouterr().out

    assert find_drift("product").clean
    assert indexed(index, "product", stale.pk)["title"] == "Changed without a signal"
    assert indexed(index, "product", fine.pk)


def test_status_shows_aliases_counts_and_the_queue(index, capsys):
    ProductFactory()
    call_command("search_index", "rebuild", "--kind", "product")
    ProductFactory()  # queued, not yet applied
    capsys.readouterr()

    call_command("search_index", "status")

    out = capsys.readouterr().out
    assert f"{alias_name('product')} -> {alias_name('product')}-v" in out
    assert ": 1 documents" in out
    assert f"{alias_name('guide')}: no index" in out
    assert "changes waiting; the oldest is" in out
