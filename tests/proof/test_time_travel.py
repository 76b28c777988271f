"""A standard that expires tonight turns the DTAC "lapsed" tomorrow, everywhere, with no job
run and no reindex: the product page, compare, the shortlist CSV, the search API, and the
database search engine's DTAC filter and facet counts."""

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.test import override_settings

from search.engine import forget_failures

from ..assessments.factories import dtac_rows
from ..registry.factories import EvidenceFactory, ProductFactory
from ..search.asking import api_search, facet_counts, page_text

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
TONIGHT = datetime.date(2026, 12, 3)
TODAY_NOON = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=LONDON)
TOMORROW_MORNING = datetime.datetime(2026, 12, 4, 8, 0, tzinfo=LONDON)
LAPSED_REASON = "Lapsed: PENTEST expired on 3 December 2026."


@pytest.fixture
def wardwatch():
    """DTAC passed today; its penetration test expires tonight."""
    with time_machine.travel(TODAY_NOON, tick=False):
        product = ProductFactory(title="WardWatch", esf_tier="B")
        EvidenceFactory(product=product)
        dtac_rows(product, expires_on=TONIGHT + datetime.timedelta(days=200))
        product.compliance.filter(standard__code="PENTEST").update(expires_on=TONIGHT)
    return product


@pytest.fixture
def database_search():
    """Search answers from the database (ELASTICSEARCH_URL unset)."""
    forget_failures()
    with override_settings(ELASTICSEARCH_URL=""):
        yield
    forget_failures()


def dtac_on_product_page(client, product):
    response = client.get(product.url)
    assert response.status_code == 200
    text = page_text(response)
    return text[text.index("Digital Technology Assessment Criteria") :][:200]


def test_the_product_page_reads_lapsed_the_morning_after(client, wardwatch):
    with time_machine.travel(TODAY_NOON, tick=False):
        assert "Passed" in dtac_on_product_page(client, wardwatch)
    with time_machine.travel(TOMORROW_MORNING, tick=False):
        glance = dtac_on_product_page(client, wardwatch)
        assert "Lapsed" in glance
        assert LAPSED_REASON in glance


def test_compare_reads_lapsed_the_morning_after(client, wardwatch):
    other = ProductFactory(title="HomeCheck")
    address = f"/compare/?products={wardwatch.slug},{other.slug}"
    with time_machine.travel(TODAY_NOON, tick=False):
        assert "DTAC result Differs Passed Not assessed" in page_text(client.get(address))
    with time_machine.travel(TOMORROW_MORNING, tick=False):
        text = page_text(client.get(address))
        assert f"DTAC result Differs Lapsed {LAPSED_REASON} Not assessed" in text


def test_the_shortlist_csv_reads_lapsed_the_morning_after(client, wardwatch):
    client.post("/shortlist/add/", {"product": wardwatch.pk})

    def row():
        response = client.get("/shortlist/export.csv")
        return next(csv.DictReader(io.StringIO(response.content.decode())))

    with time_machine.travel(TODAY_NOON, tick=False):
        assert row()["DTAC"] == "Passed"
        assert row()["PENTEST status"] == "Met"
    with time_machine.travel(TOMORROW_MORNING, tick=False):
        lapsed = row()
        assert lapsed["DTAC"] == "Lapsed"
        assert lapsed["DTAC reason"] == LAPSED_REASON
        assert lapsed["PENTEST status"] == "Expired"
        assert lapsed["PENTEST expires"] == "2026-12-03"
        assert lapsed["DTAC_C3 status"] == "Lapsed"


def test_the_api_and_the_database_search_filter_and_count_by_today(
    client, wardwatch, database_search
):
    ProductFactory(title="HomeCheck")  # never assessed
    with time_machine.travel(TODAY_NOON, tick=False):
        body = api_search(client, q="")
        result = next(r for r in body["results"] if r["title"] == "WardWatch")
        assert result["dtac_passed"] is True
        assert result["dtac_state"] == "passed"
        assert facet_counts(body, "dtac") == {"passed": 1, "not_passed": 1}
        passed = api_search(client, dtac="passed")
        assert [r["title"] for r in passed["results"]] == ["WardWatch"]

    with time_machine.travel(TOMORROW_MORNING, tick=False):
        body = api_search(client, q="")
        result = next(r for r in body["results"] if r["title"] == "WardWatch")
        assert result["dtac_passed"] is False
        assert result["dtac_state"] == "lapsed"
        assert result["dtac_reason"] == LAPSED_REASON
        assert facet_counts(body, "dtac") == {"not_passed": 2}
        assert api_search(client, dtac="passed")["total"] == 0
        not_passed = api_search(client, dtac="not_passed")
        assert sorted(r["title"] for r in not_passed["results"]) == ["HomeCheck", "WardWatch"]


def test_search_result_cards_read_lapsed_the_morning_after(client, wardwatch, database_search):
    with time_machine.travel(TOMORROW_MORNING, tick=False):
        text = page_text(client.get("/search/", {"q": "WardWatch"}))
        assert f"DTAC: Lapsed {LAPSED_REASON}" in text
        assert "NICE ESF tier B" in text
