"""Publishing, unpublishing, deleting, moving and editing what documents depend on reaches
the real Elasticsearch through the queue and the worker, in the right order."""

from unittest import mock

import pytest
from django.core.management import call_command
from elasticsearch.helpers import streaming_bulk

from assessments.models import Standard
from registry.models import CaseStudyPage, ProductIndexPage, ProductPage
from search import building, indexing, queue
from search.models import IndexChange

from ..assessments.factories import ComplianceFactory
from ..registry.factories import CaseStudyFactory, ProductFactory
from .indices import indexed, private_indices, search_ids
from .queueing import drain, queued

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch]


@pytest.fixture
def index(es_client):
    with private_indices(es_client):
        for kind in queue.KINDS:
            indexing.rebuild(kind)
        yield es_client


def test_a_published_product_is_searchable_once_the_worker_has_run(index):
    product = ProductFactory(live=False, title="Inhaler technique coach")
    product.save_revision().publish()
    assert indexed(index, "product", product.pk) is None  # nothing is sent at publish time

    drain()

    assert queued() == []
    assert search_ids(index, "product", {"match": {"title": "inhaler"}}) == [product.pk]


def test_unpublished_and_deleted_products_leave_the_index(index):
    unpublished, deleted, kept = ProductFactory(), ProductFactory(), ProductFactory()
    drain()
    assert indexed(index, "product", unpublished.pk)

    unpublished.unpublish()
    ProductPage.objects.get(pk=deleted.pk).delete()
    drain()

    assert indexed(index, "product", unpublished.pk) is None
    assert indexed(index, "product", deleted.pk) is None
    assert indexed(index, "product", kept.pk)


def test_a_moved_product_has_its_new_url(index):
    product = ProductFactory()
    home = ProductIndexPage.objects.get().get_parent()
    elsewhere = home.add_child(instance=ProductIndexPage(title="Archive", slug="archive"))
    drain()

    product.move(elsewhere, pos="last-child")
    drain()

    assert indexed(index, "product", product.pk)["url"].endswith("/archive/" + product.slug + "/")


def test_renaming_a_supplier_updates_its_products(index):
    product = ProductFactory()
    drain()
    supplier = product.supplier
    supplier.name = "Brightwater Digital Ltd"
    supplier.save()
    drain()
    assert indexed(index, "product", product.pk)["supplier_name"] == "Brightwater Digital Ltd"
    query = {"match": {"supplier_name": "brightwater"}}
    assert search_ids(index, "product", query) == [product.pk]


def met_codes(document):
    return {row["code"] for row in document.get("met", ())}


def test_editing_a_standard_updates_the_products_that_meet_it(index):
    row = ComplianceFactory(standard=Standard.objects.get(code="GP_CONNECT"))
    drain()
    assert "GP_CONNECT" in met_codes(indexed(index, "product", row.product_id))

    standard = row.standard
    standard.code = "GP_CONNECT_2"
    standard.save()
    drain()

    document = indexed(index, "product", row.product_id)
    assert "GP_CONNECT_2" in met_codes(document)


def test_publishing_a_case_study_updates_its_products(index):
    product = ProductFactory()
    study = CaseStudyFactory(live=False, products=[product], title="Fewer missed appointments")
    drain()
    assert not indexed(index, "product", product.pk).get("case_study_titles")

    study.save_revision().publish()
    drain()

    assert indexed(index, "product", product.pk)["case_study_titles"] == study.title
    assert indexed(index, "case_study", study.pk)["product_ids"] == [str(product.pk)]

    CaseStudyPage.objects.get(pk=study.pk).unpublish()
    drain()
    assert not indexed(index, "product", product.pk).get("case_study_titles")
    assert indexed(index, "case_study", study.pk) is None


def test_an_older_write_never_replaces_a_newer_one(index):
    product = ProductFactory(title="Old name")
    drain()
    older_version = queue.draw_version()
    older_document = building.build_document(product)

    product.title = "New name"
    product.save_revision().publish()
    drain()
    # The write made from the older read arrives late (a slow request, a retry):
    target = indexing.alias_targets("product")[0]
    [(ok, item)] = streaming_bulk(
        index,
        indexing.bulk_actions([older_document], target, older_version),
        raise_on_error=False,
    )

    assert not ok and item["index"]["status"] == 409
    assert indexed(index, "product", product.pk)["title"] == "New name"


def test_a_change_that_commits_after_a_newer_one_is_still_applied(index):
    """Queue ids are handed out at insert, not at commit. The row of a transaction that
    started first (lower id) can commit after a newer change has been indexed; its change
    must still reach the index, not be refused as "older"."""
    product = ProductFactory(title="First title")
    drain()
    # Transaction A takes its queue id, then works on before committing...
    slow = IndexChange.objects.create(kind="product", object_id=product.pk)
    IndexChange.objects.filter(pk=slow.pk).update(available_at="2999-01-01T00:00:00Z")
    # ...transaction B publishes the same product, and the worker indexes it.
    product.title = "Second title"
    product.save_revision().publish()
    drain()
    # A commits: its change (made without signals here) becomes visible with the old id.
    product.supplier.__class__.objects.filter(pk=product.supplier_id).update(name="Late Ltd")
    IndexChange.objects.filter(pk=slow.pk).update(available_at="2000-01-01T00:00:00Z")
    drain()

    document = indexed(index, "product", product.pk)
    assert (document["title"], document["supplier_name"]) == ("Second title", "Late Ltd")
    assert document["change_seq"] > slow.pk


def test_ten_edits_of_one_product_are_one_write(index):
    product = ProductFactory()
    for number in range(10):
        product.summary = f"Edit number {number}"
        product.save_revision().publish()
    assert IndexChange.objects.filter(object_id=product.pk).count() >= 10

    result = drain()

    assert result.indexed == 1
    assert indexed(index, "product", product.pk)["summary"] == "Edit number 9"


def test_the_worker_command_drains_and_reports(index, capsys):
    product = ProductFactory()
    call_command("search_worker", "--once")
    assert "Indexed 1" in capsys.readouterr().out
    index.indices.refresh(index=indexing.alias_name("product"))
    assert indexed(index, "product", product.pk)


def test_a_document_that_cannot_be_built_does_not_hold_up_the_others(index):
    broken, fine = ProductFactory(), ProductFactory()
    real_tiebreak = building.tiebreak_for

    def tiebreak(kind, pk):
        if pk == broken.pk:
            raise ValueError("a bug in building this one document")
        return real_tiebreak(kind, pk)

    with mock.patch.object(building, "tiebreak_for", tiebreak):
        result = queue.drain(refresh=True)

    assert (result.indexed, result.failed) == (1, 1)
    assert indexed(index, "product", fine.pk)
    assert queued() == [("product", broken.pk)]
    row = IndexChange.objects.filter(object_id=broken.pk).first()
    assert row.attempts == 1
    assert "ValueError: a bug in building this one document" in row.last_error
