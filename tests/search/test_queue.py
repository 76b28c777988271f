"""What queues which document, in which transaction; no Elasticsearch needed.

Elasticsearch is "configured" at a closed port, so changes are queued and nothing is sent.
"""

import random

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from wagtail.models import Page, PageViewRestriction

from assessments.models import ProductCompliance, Standard
from registry.models import CaseStudyPage, Organisation, ProductIndexPage, ProductPage
from search import queue
from search.models import IndexChange

from ..assessments.factories import ComplianceFactory
from ..registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    GuideFactory,
    ProductFactory,
    SupplierFactory,
)
from .outage import CLOSED_PORT_URL
from .queueing import queued

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def search_configured(settings):
    settings.ELASTICSEARCH_URL = CLOSED_PORT_URL


def clear_queue():
    IndexChange.objects.all().delete()


# --- Publishing and the transaction ---------------------------------------------------------


def test_publishing_queues_the_page():
    product = ProductFactory(live=False)
    assert queued() == []

    product.save_revision().publish()

    assert queued() == [("product", product.pk)]


def test_the_queue_row_commits_or_rolls_back_with_the_publish():
    product = ProductFactory(live=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        product.save_revision().publish()
        assert queued() == [("product", product.pk)]
        raise RuntimeError("the editor's request failed after publishing")
    assert queued() == []
    assert not ProductPage.objects.get(pk=product.pk).live


def test_the_queue_row_is_written_inside_the_pages_own_save():
    """Wagtail's publish is not atomic, but Page.save() is; a save that fails part-way
    (here, on its inline rows) takes the queue row with it."""
    product = ProductFactory()
    clear_queue()
    standard = Standard.objects.get(code="DTAC")
    product.compliance.add(ProductCompliance(standard=standard, status="met"))
    product.compliance.add(ProductCompliance(standard=standard, status="met"))
    seen_during_save = []

    def look(sender, instance, **kwargs):  # runs after the search handler
        seen_during_save.append(queued())

    post_save.connect(look, sender=ProductPage)
    try:
        with pytest.raises(IntegrityError):
            product.save()
    finally:
        post_save.disconnect(look, sender=ProductPage)

    assert seen_during_save == [[("product", product.pk)]]
    assert queued() == []


def test_draft_saves_queue_nothing():
    draft = ProductFactory(live=False)
    draft.summary = "Still being written."
    draft.save_revision()
    draft.save()

    live = ProductFactory()
    clear_queue()
    live.title = "A better name, not yet published"
    live.save_revision()

    assert queued() == []


def test_nothing_is_queued_without_elasticsearch(settings):
    settings.ELASTICSEARCH_URL = ""
    ProductFactory()
    assert IndexChange.objects.count() == 0


def test_bulk_loads_can_suppress_the_queue():
    with queue.suppressed():
        ProductFactory()
    assert IndexChange.objects.count() == 0


# --- Unpublish, delete, move ----------------------------------------------------------------


def test_unpublishing_queues_the_page():
    product = ProductFactory()
    clear_queue()
    product.unpublish()
    assert queued() == [("product", product.pk)]


def test_deleting_a_live_page_queues_it_and_a_draft_does_not():
    product = ProductFactory()
    draft = ProductFactory(live=False)
    clear_queue()

    Page.objects.get(pk=product.pk).delete()
    Page.objects.get(pk=draft.pk).delete()

    assert queued() == [("product", product.pk)]


def test_moving_a_page_queues_it():
    product = ProductFactory()
    home = ProductIndexPage.objects.get().get_parent()
    other_index = home.add_child(instance=ProductIndexPage(title="More products", slug="more"))
    clear_queue()

    product.move(other_index, pos="last-child")

    assert queued() == [("product", product.pk)]


def test_moving_or_renaming_a_section_queues_the_pages_under_it(
    django_capture_on_commit_callbacks,
):
    products = [ProductFactory(), ProductFactory()]
    ProductFactory(live=False)
    index = ProductIndexPage.objects.get()
    clear_queue()

    with django_capture_on_commit_callbacks(execute=True):
        index.slug = "all-products"
        index.save_revision().publish()

    assert queued() == sorted(("product", product.pk) for product in products)


def test_restricting_a_section_queues_the_pages_under_it():
    product = ProductFactory()
    clear_queue()
    PageViewRestriction.objects.create(
        page=ProductIndexPage.objects.get(), restriction_type=PageViewRestriction.LOGIN
    )
    assert queued() == [("product", product.pk)]


# --- What documents depend on ---------------------------------------------------------------


def test_renaming_a_supplier_queues_its_live_products():
    supplier = SupplierFactory()
    live = ProductFactory(supplier=supplier)
    ProductFactory(supplier=supplier, live=False)
    ProductFactory()
    clear_queue()

    supplier.name = "Renamed Health Ltd"
    supplier.save()

    assert queued() == [("product", live.pk)]


def test_editing_an_adopting_organisation_queues_its_products_and_case_studies():
    adoption = AdoptionFactory()
    organisation = adoption.organisation
    study = CaseStudyFactory(organisation=organisation, products=[ProductFactory()])
    clear_queue()

    organisation.region = "north_west"
    organisation.save()

    assert queued() == sorted([("product", adoption.product_id), ("case_study", study.pk)])


def test_editing_a_standard_queues_the_products_with_a_row_for_it():
    dtac = Standard.objects.get(code="DTAC")
    row = ComplianceFactory(standard=dtac)
    ComplianceFactory(standard=Standard.objects.get(code="DSPT"))
    clear_queue()

    dtac.name = "Digital Technology Assessment Criteria (2024)"
    dtac.save()

    assert queued() == [("product", row.product_id)]


def test_publishing_a_case_study_queues_its_products():
    product = ProductFactory()
    study = CaseStudyFactory(live=False, products=[product])
    assert queued("case_study") == []
    clear_queue()

    study.save_revision().publish()

    assert queued() == [("case_study", study.pk), ("product", product.pk)]

    clear_queue()
    CaseStudyPage.objects.get(pk=study.pk).unpublish()
    assert queued() == [("case_study", study.pk), ("product", product.pk)]


def test_publishing_a_guide_queues_only_the_guide():
    guide = GuideFactory(live=False, products=[ProductFactory()])
    clear_queue()
    guide.save_revision().publish()
    assert queued() == [("guide", guide.pk)]


def test_unpublishing_a_product_queues_the_case_studies_and_guides_that_list_it():
    product = ProductFactory()
    study = CaseStudyFactory(products=[product])
    guide = GuideFactory(products=[product])
    clear_queue()

    product.unpublish()

    assert queued() == sorted(
        [("product", product.pk), ("case_study", study.pk), ("guide", guide.pk)]
    )


def test_compliance_edited_outside_the_page_editor_queues_the_live_product():
    row = ComplianceFactory()
    draft_row = ComplianceFactory(product=ProductFactory(live=False))
    clear_queue()

    row.status = "not_met"
    row.save()
    draft_row.status = "not_met"
    draft_row.save()

    assert queued() == [("product", row.product_id)]


def test_deleting_an_organisation_with_nothing_attached_queues_nothing():
    organisation = Organisation.objects.create(name="Closed trust", kind="nhs_trust")
    clear_queue()
    organisation.delete()
    assert queued() == []


# --- Backoff --------------------------------------------------------------------------------


def test_backoff_doubles_with_jitter_and_is_capped():
    rng = random.Random(1)
    delays = [queue.backoff_seconds(attempt, rng) for attempt in range(1, 12)]
    assert 1.5 <= delays[0] <= 2.5
    assert 3 <= delays[1] <= 5
    assert all(delay <= queue.BACKOFF_CAP_SECONDS * 1.25 for delay in delays)
    assert delays[-1] >= queue.BACKOFF_CAP_SECONDS * 0.75


def test_versions_come_from_the_queue_sequence():
    first = queue.draw_version()
    ProductFactory()
    change = IndexChange.objects.latest("id")
    second = queue.draw_version()
    assert first < change.id < second
    assert queue.current_sequence() == second
