"""When Elasticsearch is not configured, not answering, or has no index yet, the search page
and the JSON API answer from the database, say so, and never fail."""

import pytest
from django.test import override_settings

from assessments.models import Standard
from registry.models import CareSetting, Category
from search.engine import forget_failures, similar_products
from search.results import DEGRADED_NOTICE

from ..assessments.factories import ComplianceFactory
from ..registry.factories import CaseStudyFactory, ProductFactory, SupplierFactory
from .asking import api_search, facet_counts, page_text, titles

pytestmark = [pytest.mark.django_db]

CLOSED_PORT = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def fresh_failure_memory():
    forget_failures()
    yield
    forget_failures()


@pytest.fixture
def catalogue():
    remote = Category.objects.get(slug="remote-monitoring-and-virtual-wards")
    records = Category.objects.get(slug="electronic-patient-records")
    home = CareSetting.objects.get(slug="home")
    acute = CareSetting.objects.get(slug="acute-hospital")
    acme = SupplierFactory(name="Acme Health Ltd")
    ward = ProductFactory(
        title="WardWatch virtual ward",
        supplier=acme,
        category=remote,
        care_settings=[home],
        esf_tier="C",
        clinical_areas=["COPD"],
    )
    breathe = ProductFactory(
        title="Breathe at home",
        summary="Remote monitoring for people with lung conditions.",
        category=remote,
        care_settings=[home, acute],
        esf_tier="B",
    )
    record = ProductFactory(
        title="OpenRecord",
        summary="An electronic patient record for community trusts.",
        category=records,
        care_settings=[acute],
        esf_tier="A",
    )
    ProductFactory(title="WardWatch draft edition", live=False)
    CaseStudyFactory(title="Fewer admissions with a virtual ward in Leeds", products=[ward])
    return {"ward": ward, "breathe": breathe, "record": record}


@pytest.mark.parametrize("url", ["", CLOSED_PORT])
def test_the_page_answers_from_the_database_with_a_notice(client, catalogue, url):
    with override_settings(ELASTICSEARCH_URL=url):
        response = client.get("/search/", {"q": "wardwatch"})
    assert response.status_code == 200
    page = page_text(response)
    assert "Search is simplified right now" in page
    assert "WardWatch virtual ward" in page
    assert "draft edition" not in page


@pytest.mark.parametrize("url", ["", CLOSED_PORT])
def test_the_api_says_it_answered_from_the_database(client, catalogue, url):
    with override_settings(ELASTICSEARCH_URL=url):
        body = api_search(client, q="ward")
    assert body["engine"] == "database"
    assert body["degraded"] is True
    assert DEGRADED_NOTICE in body["notices"]
    # Ranked by where the word is: the product's name and its case study's title first,
    # then a product whose category names it ("Remote monitoring and virtual wards").
    assert titles(body) == [
        "WardWatch virtual ward",
        "Fewer admissions with a virtual ward in Leeds",
        "Breathe at home",
    ]


@override_settings(ELASTICSEARCH_URL="")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("acme", ["WardWatch virtual ward"]),  # supplier name
        # Every word, across the summary, first; as on Elasticsearch, so few results are
        # followed by those with some of the words (a category naming "monitoring").
        ("lung monitoring", ["Breathe at home", "WardWatch virtual ward"]),
        ("copd", ["WardWatch virtual ward"]),  # clinical area tag
        ("leeds", ["Fewer admissions with a virtual ward in Leeds", "WardWatch virtual ward"]),
        ("OPENRECORD", ["OpenRecord"]),  # case does not matter
        ("nothing-like-this", []),
    ],
)
def test_database_search_matches_words_in_names_suppliers_summaries_tags_and_case_studies(
    client, catalogue, words, expected
):
    assert titles(api_search(client, q=words)) == expected


@override_settings(ELASTICSEARCH_URL="")
def test_database_facets_count_with_the_other_filters_only(client, catalogue):
    body = api_search(
        client, category="remote-monitoring-and-virtual-wards", care_setting="acute-hospital"
    )
    assert titles(body) == ["Breathe at home"]
    # Category counts ignore the category filter, but apply the care setting one.
    assert facet_counts(body, "category") == {
        "remote-monitoring-and-virtual-wards": 1,
        "electronic-patient-records": 1,
    }
    # Care setting counts ignore the care setting filter, but apply the category one.
    assert facet_counts(body, "care_setting") == {"home": 2, "acute-hospital": 1}
    assert facet_counts(body, "esf_tier") == {"B": 1}
    # Product filters leave only products.
    assert facet_counts(body, "kind") == {"product": 1}


@override_settings(ELASTICSEARCH_URL="")
def test_database_search_applies_every_filter_it_lists(client, catalogue):
    ComplianceFactory(product=catalogue["record"], standard=Standard.objects.get(code="DSPT"))
    body = api_search(client, standard="DSPT")
    assert body["filters"] == {"standard": ["DSPT"]}
    assert titles(body) == ["OpenRecord"]
    assert facet_counts(body, "standard") == {"DSPT": 1}
    body = api_search(client, q="ward", dtac="passed")
    assert body["filters"] == {"dtac": ["passed"]}
    assert titles(body) == []  # no product has DTAC: nothing is listed as applied but ignored


@override_settings(ELASTICSEARCH_URL="")
def test_database_search_clamps_pages_out_of_range(client, catalogue):
    body = api_search(client, q="ward", page=40)
    assert body["page"] == 1
    assert any("only 1 page" in notice for notice in body["notices"])


@override_settings(ELASTICSEARCH_URL="")
def test_database_highlights_are_escaped(client):
    ProductFactory(title="<script>alert('ward')</script>")
    body = api_search(client, q="ward")
    assert body["results"][0]["title_html"] == (
        "&lt;script&gt;alert(&#x27;<mark>ward</mark>&#x27;)&lt;/script&gt;"
    )


def test_autocomplete_answers_from_the_database(client, catalogue):
    with override_settings(ELASTICSEARCH_URL=CLOSED_PORT):
        response = client.get("/api/v1/autocomplete", {"q": "acm"})
    assert response.status_code == 200
    assert response.json()["suggestions"] == [
        {
            "label": "Acme Health Ltd",
            "type": "supplier",
            "type_label": "Supplier",
            "url": "/search/?q=Acme+Health+Ltd",
        }
    ]


def test_similar_products_come_from_the_same_category(catalogue):
    with override_settings(ELASTICSEARCH_URL=CLOSED_PORT):
        similar = similar_products(catalogue["ward"])
    assert [item["title"] for item in similar] == ["Breathe at home"]
    assert set(similar[0]) == {"title", "url", "supplier_name", "summary"}


@pytest.mark.elasticsearch
def test_a_missing_index_is_treated_as_elasticsearch_being_down(client, catalogue, es_client):
    with override_settings(SEARCH_INDEX_PREFIX="registry-test-query-never-built"):
        body = api_search(client, q="ward")
        page = client.get("/search/", {"q": "ward"})
    assert body["engine"] == "database"
    assert body["degraded"] is True
    assert page.status_code == 200
    assert "Search is simplified right now" in page_text(page)
