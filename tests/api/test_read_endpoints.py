"""What a client reads: each record with its proof, only what the public site shows."""

import datetime

import pytest

from assessments.models import ComplianceStatus, Standard
from registry.models import CareSetting, Category
from tests.assessments.factories import ComplianceFactory
from tests.registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    EvidenceFactory,
    GuideFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

DTAC_CODES = (
    "DTAC", "DTAC_C1", "DTAC_C2", "DTAC_C3", "DTAC_C4", "DTAC_D", "DCB0129", "CSO", "ICO", "DPO",
    "DPIA", "DSPT", "CE", "PENTEST", "WCAG22AA",
)  # fmt: skip


def pass_dtac(product, expires_on=None):
    for code in DTAC_CODES:
        ComplianceFactory(
            product=product, standard=Standard.objects.get(code=code), expires_on=expires_on
        )


def test_product_detail_has_all_its_proof(api_get):
    product = ProductFactory(title="Acme Remote Monitoring", external_id="acme-rm")
    EvidenceFactory(product=product, title="A trial in three trusts")
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="DSPT"),
        assessed_on=yesterday - datetime.timedelta(days=400),
        expires_on=yesterday,
    )
    ComplianceFactory(product=product, standard=Standard.objects.get(code="DCB0129"))
    adopter = OrganisationFactory(name="Example Trust", ods_code="RJ1")
    AdoptionFactory(product=product, organisation=adopter, confirmed=True)
    AdoptionFactory(
        product=product,
        organisation=OrganisationFactory(name="Unconfirmed Trust"),
        confirmed=False,
        contact_email="secret@example.nhs.uk",
    )
    study = CaseStudyFactory(products=[product], organisation=adopter, title="Fewer admissions")

    response = api_get(f"/products/{product.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == product.pk
    assert body["external_id"] == "acme-rm"
    assert body["name"] == "Acme Remote Monitoring"
    assert [item["title"] for item in body["evidence"]] == ["A trial in three trusts"]
    rows = {row["standard"]["code"]: row for row in body["compliance"]}
    assert rows["DSPT"]["status"] == "met"
    assert rows["DSPT"]["effective_status"] == "expired"
    assert rows["DSPT"]["expires_on"] == yesterday.isoformat()
    assert rows["DCB0129"]["effective_status"] == "met"
    assert body["standards_met"] == ["DCB0129"]
    assert [a["organisation"]["name"] for a in body["adoptions"]] == ["Example Trust"]
    assert body["adoption_count"] == 1
    assert body["case_studies"] == [{"id": study.pk, "title": "Fewer admissions"}]
    assert body["dtac"] == {
        "state": "not_assessed",
        "label": "Not assessed",
        "reason": "The product has not been assessed against the DTAC.",
        "valid_until": None,
    }
    assert "secret@example.nhs.uk" not in response.content.decode()
    assert "Unconfirmed Trust" not in response.content.decode()


def test_dtac_state_and_reason_come_from_the_proof_rules(api_get):
    passed = ProductFactory()
    pass_dtac(passed, expires_on=datetime.date.today() + datetime.timedelta(days=90))
    lapsed = ProductFactory()
    pass_dtac(lapsed, expires_on=datetime.date.today() - datetime.timedelta(days=1))

    body = api_get(f"/products/{passed.pk}").json()
    assert body["dtac"]["state"] == "passed"
    assert (
        body["dtac"]["valid_until"]
        == (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
    )
    lapsed_body = api_get(f"/products/{lapsed.pk}").json()
    assert lapsed_body["dtac"]["state"] == "lapsed"
    assert "expired on" in lapsed_body["dtac"]["reason"]

    listed = api_get("/products", {"dtac": "passed"}).json()
    assert [item["id"] for item in listed["items"]] == [passed.pk]
    not_passed = api_get("/products", {"dtac": "not_passed"}).json()
    assert [item["id"] for item in not_passed["items"]] == [lapsed.pk]


def test_product_list_filters_like_the_search_page(api_get):
    category = Category.objects.order_by("pk").last()
    setting = CareSetting.objects.order_by("pk").last()
    wanted = ProductFactory(
        category=category, care_settings=[setting], esf_tier="C", deployment_model="on_premise"
    )
    ComplianceFactory(product=wanted, standard=Standard.objects.get(code="DCB0129"))
    AdoptionFactory(product=wanted, organisation=OrganisationFactory(region="north_west"))
    other = ProductFactory(esf_tier="A")
    ComplianceFactory(
        product=other,
        standard=Standard.objects.get(code="DCB0129"),
        status=ComplianceStatus.NOT_MET,
    )

    def ids(**params):
        response = api_get("/products", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [wanted.pk, other.pk]
    assert ids(category=category.slug) == [wanted.pk]
    assert ids(care_setting=setting.slug) == [wanted.pk]
    assert ids(esf_tier="C") == [wanted.pk]
    assert ids(esf_tier=["A", "C"]) == [wanted.pk, other.pk]
    assert ids(standard="DCB0129") == [wanted.pk]
    assert ids(region="north_west") == [wanted.pk]
    assert ids(adoption="1-4") == [wanted.pk]
    assert ids(adoption="none") == [other.pk]
    assert ids(deployment="on_premise") == [wanted.pk]
    assert ids(category=category.slug, esf_tier="A") == []


def test_unpublished_products_and_case_studies_are_not_found(api_get):
    draft = ProductFactory(live=False)
    response = api_get(f"/products/{draft.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert draft.pk not in [item["id"] for item in api_get("/products").json()["items"]]


def test_case_studies_show_outcomes_but_no_contact(api_get):
    product = ProductFactory()
    study = CaseStudyFactory(
        products=[product], contact_name="Alex Example", contact_email="alex@example.nhs.uk"
    )
    OutcomeFactory(case_study=study, metric="Did not attend rate", before=10, after=6.5)

    body = api_get(f"/case-studies/{study.pk}").json()

    assert body["outcomes"][0] == {
        "metric": "Did not attend rate",
        "before": 10.0,
        "after": 6.5,
        "unit": "%",
        "period": "12 months",
    }
    assert body["products"] == [{"id": product.pk, "name": product.title}]
    text = api_get("/case-studies").content.decode()
    assert "Alex Example" not in text and "alex@example.nhs.uk" not in text


def test_guides_vocabularies_standards_organisations_and_statistics(api_get):
    product = ProductFactory()
    guide = GuideFactory(products=[product])
    AdoptionFactory(product=product, organisation=OrganisationFactory(region="london"))

    assert api_get(f"/guides/{guide.pk}").json()["products"] == [
        {"id": product.pk, "name": product.title}
    ]
    standards = api_get("/standards", {"limit": 100}).json()
    assert "DCB0129" in [item["code"] for item in standards["items"]]
    dcb = Standard.objects.get(code="DCB0129")
    assert api_get(f"/standards/{dcb.pk}").json()["code"] == "DCB0129"
    category = Category.objects.first()
    assert api_get(f"/categories/{category.pk}").json()["slug"] == category.slug
    assert api_get("/care-settings").json()["total"] == CareSetting.objects.count()
    organisation = product.supplier
    assert api_get(f"/organisations/{organisation.pk}").json()["name"] == organisation.name

    stats = api_get("/statistics/adoption").json()
    assert stats["confirmed_adoptions"] == 1
    assert stats["by_region"] == [
        {"region": "london", "adoptions": 1, "organisations": 1, "products": 1}
    ]
