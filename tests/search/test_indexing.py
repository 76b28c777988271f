"""Documents carry what buyers filter on, and only public content reaches the index."""

import datetime

import pytest
from django.test import override_settings

from assessments.models import ComplianceStatus, Standard
from search import building, indexing
from search.documents import alias_name

from ..assessments.factories import ComplianceFactory
from ..registry.factories import AdoptionFactory, CaseStudyFactory, OutcomeFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_product_document_flattens_the_proof():
    today = datetime.date.today()
    product = ProductFactory(clinical_areas=["COPD"])
    ComplianceFactory(product=product, standard=Standard.objects.get(code="DTAC"))
    ComplianceFactory(product=product, standard=Standard.objects.get(code="GP_CONNECT"))
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="CE"),
        assessed_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=1),
    )
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="DSPT"),
        status=ComplianceStatus.IN_PROGRESS,
    )
    AdoptionFactory(product=product)
    AdoptionFactory(product=product, confirmed=False)
    study = CaseStudyFactory(products=[product], title="Fewer admissions in Leeds")
    OutcomeFactory(case_study=study, metric="Emergency admissions")

    document = building.build_document(product).to_dict()

    # Every standard met, with the last day it counts: searches judge expiry on their day.
    # DSPT in progress is not met.
    met = {row["code"]: row for row in document["met"]}
    assert set(met) == {"CE", "DTAC", "GP_CONNECT"}
    assert met["CE"]["until"] == today - datetime.timedelta(days=1)
    assert met["GP_CONNECT"]["interoperability"] is True
    assert met["DTAC"]["interoperability"] is False
    assert document["adoption_count"] == 1
    assert document["adoption_band"] == "1-4"
    assert document["adopter_regions"] == ["london"]
    assert "Fewer admissions in Leeds" in document["case_study_titles"]
    assert "Emergency admissions" in document["case_study_outcomes"]
    assert document["clinical_areas"] == ["COPD"]
    assert document["supplier_name"] == product.supplier.name


def test_product_document_carries_the_dtac_state_and_the_last_day_it_holds():
    from ..assessments.factories import dtac_rows

    today = datetime.date.today()
    product = ProductFactory()
    dtac_rows(product, expires_on=today + datetime.timedelta(days=200))
    product.compliance.filter(standard__code="PENTEST").update(
        expires_on=today + datetime.timedelta(days=10)
    )

    document = indexing.build_document(product).to_dict()

    assert document["dtac_passed"] is True
    assert document["dtac_state"] == "passed"
    # A query can tell "passed" from "lapsed" on a later day without a reindex.
    assert document["dtac_valid_until"] == today + datetime.timedelta(days=10)


def test_unpublished_and_restricted_pages_have_no_document():
    draft = ProductFactory(live=False)
    assert building.build_document(draft) is None
    live = ProductFactory()
    live.unpublish()
    assert building.build_document(live) is None


@pytest.mark.elasticsearch
@override_settings(SEARCH_INDEX_PREFIX="registry-test-indexing")
def test_rebuild_swaps_the_alias_and_drops_the_old_index(es_client):
    ProductFactory(title="Virtual ward platform")
    first, count = indexing.rebuild("product")
    assert count == 1
    second, _ = indexing.rebuild("product")
    alias = alias_name("product")
    assert list(es_client.indices.get_alias(name=alias)) == [second]
    assert not es_client.indices.exists(index=first)
    hits = es_client.search(index=alias, query={"match": {"title": "wards"}})["hits"]["hits"]
    assert [hit["_source"]["title"] for hit in hits] == ["Virtual ward platform"]
    es_client.indices.delete(index=second)
