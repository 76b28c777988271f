"""The search page and the JSON API, against the real Elasticsearch: the same answers,
highlighted safely, with a clear response to anything a user can type."""

import pytest

from registry.models import Category
from search import engine

from ..registry.factories import CaseStudyFactory, ProductFactory, SupplierFactory
from .asking import api_search, facet_counts, page_text, titles
from .indices import index_on_demand

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch]


@pytest.fixture
def indexed(es_client, settings):
    yield from index_on_demand(es_client, settings)


@pytest.fixture
def catalogue():
    remote = Category.objects.get(slug="remote-monitoring-and-virtual-wards")
    acme = SupplierFactory(name="Acme Health Ltd")
    ward = ProductFactory(
        title="WardWatch",
        supplier=acme,
        category=remote,
        summary="Remote monitoring for people on a virtual ward at home.",
    )
    ProductFactory(title="Breathe", summary="Remote monitoring for lung conditions.")
    ProductFactory(title="OpenRecord", summary="An electronic patient record.")
    CaseStudyFactory(title="A virtual ward in Hull", products=[ward])
    return ward


def test_the_page_shows_highlighted_results_with_facets(client, indexed, catalogue):
    indexed()
    response = client.get("/search/", {"q": "virtual ward"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>" in html
    text = page_text(response)
    assert "WardWatch" in text
    assert "By Acme Health Ltd" in text
    assert "Filter results" in text
    assert "Remote monitoring and virtual wards (1)" in text
    assert "Search is simplified" not in text


def test_the_page_and_the_api_agree(client, indexed, catalogue):
    indexed()
    page = client.get("/search/", {"q": "remote monitoring", "kind": "product"})
    body = api_search(client, q="remote monitoring", kind="product")
    assert body["engine"] == "elasticsearch"
    assert body["degraded"] is False
    assert [r["title"] for r in page.context["results"]] == titles(body)
    assert set(titles(body)) == {"WardWatch", "Breathe"}
    assert body["results"][0]["url"].startswith("http://testserver/products/")


def test_matches_are_highlighted_and_everything_else_escaped(client, indexed):
    ProductFactory(
        title="<img src=x onerror=alert(1)> Wardsafe",
        summary='Ward "safety" & <b>checks</b>',
    )
    indexed()
    body = api_search(client, q="wardsafe")
    result = body["results"][0]
    assert result["title_html"] == "&lt;img src=x onerror=alert(1)&gt; <mark>Wardsafe</mark>"
    html = client.get("/search/", {"q": "wardsafe ward"}).content.decode()
    assert "<img src=x" not in html
    assert "&lt;b&gt;checks&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "words",
    [
        'title:(foo OR "bar") AND *',
        "ward~2 [a TO z] {x} /regex/ \\",
        "((((",
        '"',
        "-",
        "<script>alert(1)</script>",
        "a" * 5000,
        "ward " * 300,
        "\u202e\ue000 ward",  # control characters are refused earlier: tests/bad_input
    ],
)
def test_query_syntax_and_long_queries_get_an_answer_not_an_error(
    client, indexed, catalogue, words
):
    indexed()
    response = client.get("/search/", {"q": words})
    assert response.status_code == 200
    body = api_search(client, q=words)
    assert body["engine"] == "elasticsearch"
    if len(words) > 256:
        assert any("too long" in notice for notice in body["notices"])
        assert "too long" in page_text(response)


def test_unknown_filter_values_are_ignored_with_a_notice(client, indexed, catalogue):
    indexed()
    body = api_search(
        client, q="monitoring", category=["no-such-category", "remote-monitoring-and-virtual-wards"]
    )
    assert titles(body) == ["WardWatch"]
    assert any("no-such-category" in notice for notice in body["notices"])
    response = client.get("/search/", {"q": "monitoring", "region": "atlantis", "sort": "price"})
    assert response.status_code == 200
    assert "atlantis" in page_text(response)


def test_pages_out_of_range_show_the_last_page_with_a_notice(client, indexed):
    for number in range(25):
        ProductFactory(title=f"Monitor {number}")
    indexed()
    body = api_search(client, q="monitor", page=99)
    assert body["page"] == 2
    assert len(body["results"]) == 5
    assert any("only 2 pages" in notice for notice in body["notices"])
    for page in ("99", "0", "-1", "two", "99999999999999999999"):
        response = client.get("/search/", {"q": "monitor", "page": page})
        assert response.status_code == 200, page
    assert client.get("/api/v1/search", {"q": "monitor", "page": "two"}).status_code == 400


def test_pagination_links_keep_the_search(client, indexed):
    for number in range(25):
        ProductFactory(title=f"Monitor {number}")
    indexed()
    html = client.get("/search/", {"q": "monitor", "esf_tier": "B"}).content.decode()
    assert 'href="/search/?q=monitor&amp;esf_tier=B&amp;page=2"' in html


def test_no_results_offers_next_steps(client, indexed, catalogue):
    indexed()
    response = client.get(
        "/search/", {"q": "zzzzqqqq", "category": "remote-monitoring-and-virtual-wards"}
    )
    text = page_text(response)
    assert "No results for \u2018zzzzqqqq\u2019" in text
    assert "check the spelling" in text
    assert "Remove filter Category: Remote monitoring and virtual wards" in text
    assert "clear all filters" in text
    assert "Electronic patient records" in text  # browse by category
    assert 'href="/search/?q=zzzzqqqq"' in response.content.decode()


def test_misspelt_words_that_find_nothing_show_the_corrected_results(client, indexed):
    ProductFactory(title="Physiotherapy planner", summary="Exercise plans after surgery.")
    indexed()
    body = api_search(client, q="physiotheraphy plannerr")
    assert body["did_you_mean"] == "physiotherapy planner"
    assert body["corrected"] is True
    assert [r["title"] for r in body["results"]] == ["Physiotherapy planner"]
    html = client.get("/search/", {"q": "physiotheraphy plannerr"}).content.decode()
    assert "Showing results for" in html


def test_a_misspelt_search_is_corrected_one_round_trip_sooner(client, indexed, monkeypatch):
    ProductFactory(title="Surgery planner", summary="Exercise plans after an operation.")
    indexed()
    monkeypatch.setattr(engine, "_held_words", set())
    sent = []
    real = engine._call

    def counting(operation, **kwargs):
        sent.append(len(kwargs.get("searches", [None, None])) // 2)
        return real(operation, **kwargs)

    monkeypatch.setattr(engine, "_call", counting)
    # Words the registry has not been seen to hold: the did-you-mean is asked for beside the
    # hits and the counts. Once the index was seen to hold them, it is not.
    assert api_search(client, q="surgery planner")["total"] == 1
    assert sent[0] == 3
    sent.clear()
    assert api_search(client, q="surgery planner")["total"] == 1
    assert sent[0] == 2
    sent.clear()
    # A misspelling that finds nothing: the correction came with the first request, so the
    # corrected search is the second and last.
    body = api_search(client, q="surgery plannerr")
    assert body["did_you_mean"] == "surgery planner"
    assert [r["title"] for r in body["results"]] == ["Surgery planner"]
    assert sent == [3, 2]


def test_a_corrected_search_links_to_the_words_as_typed(client, indexed):
    ProductFactory(title="Palliative care record", summary="Wishes at the end of life.")
    ProductFactory(title="Care home rota", summary="Shifts for care staff.")
    indexed()
    response = client.get("/search/", {"q": "pallative care"})
    text = page_text(response)
    # One word is nowhere in the index and one edit from a word it holds: the correction
    # finds the product, rather than everything about care.
    assert "Showing results for \u2018palliative care\u2019. Search instead for pallative care" in (
        text
    )
    assert [result["title"] for result in response.context["results"]] == ["Palliative care record"]
    exact = response.context["exact_spelling_href"]
    assert exact == "/search/?q=pallative+care&spelling=exact"
    assert f'href="{exact.replace("&", "&amp;")}"' in response.content.decode()

    # The link searches the words as typed: "care" alone finds both, and nothing is
    # corrected.
    exact_page = client.get(exact)
    exact_text = page_text(exact_page)
    assert "Showing results for" not in exact_text
    assert {result["title"] for result in exact_page.context["results"]} == {
        "Care home rota",
        "Palliative care record",
    }
    assert "No results had all of your words" in exact_text
    # Filters and pages of that search keep to the words as typed.
    assert '<input type="hidden" name="spelling" value="exact">' in exact_page.content.decode()
    body = api_search(client, q="pallative care", spelling="exact")
    assert body["did_you_mean"] is None and body["corrected"] is False
    assert body["total"] == 2


def test_words_as_typed_that_find_nothing_are_not_corrected_either(client, indexed):
    ProductFactory(title="Insomnia programme", summary="Sleep therapy for adults.")
    indexed()
    body = api_search(client, q="insomina", spelling="exact")
    assert body["total"] == 0
    assert body["did_you_mean"] is None
    # Nor are typos forgiven: the words as typed are what was asked for.
    assert titles(api_search(client, q="insomina")) == ["Insomnia programme"]


def test_the_results_fragment_for_instant_filters(client, indexed, catalogue):
    indexed()
    response = client.get("/search/", {"q": "monitoring", "partial": "results"})
    html = response.content.decode()
    assert html.lstrip().startswith("<div") or "search-results-region" in html[:400]
    assert "<html" not in html
    assert 'id="search-results-region"' in html


def test_autocomplete_suggests_products_suppliers_and_categories(client, indexed, catalogue):
    indexed()
    suggestions = client.get("/api/v1/autocomplete", {"q": "war"}).json()["suggestions"]
    assert {"label": "WardWatch", "type": "product"}.items() <= suggestions[0].items()
    assert suggestions[0]["url"] == "/products/wardwatch/"
    suppliers = client.get("/api/v1/autocomplete", {"q": "acm"}).json()["suggestions"]
    assert suppliers[0]["type"] == "supplier"
    assert suppliers[0]["url"] == "/search/?q=Acme+Health+Ltd"
    categories = client.get("/api/v1/autocomplete", {"q": "remote mon"}).json()["suggestions"]
    assert any(
        s["type"] == "category"
        and s["url"] == "/search/?category=remote-monitoring-and-virtual-wards"
        for s in categories
    )
    assert client.get("/api/v1/autocomplete", {"q": "w"}).json()["suggestions"] == []


def test_similar_products(indexed):
    from search.engine import similar_products

    ward = ProductFactory(title="Ward monitor", summary="Virtual ward monitoring of heart failure.")
    ProductFactory(title="Heart at home", summary="Virtual ward monitoring for heart failure.")
    ProductFactory(title="Payroll", summary="Pays staff.")
    indexed()
    similar = similar_products(ward)
    assert [item["title"] for item in similar] == ["Heart at home"]
    assert similar[0]["url"].startswith("/products/")


def test_the_api_is_described_by_openapi(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/search", "/api/v1/autocomplete"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"q", "kind", "category", "standard", "sort", "page"} <= parameters
    assert client.get("/api/v1/docs").status_code == 200


def test_facet_counts_in_the_page_and_the_api_match(client, indexed, catalogue):
    indexed()
    body = api_search(client, q="monitoring")
    assert facet_counts(body, "category")["remote-monitoring-and-virtual-wards"] == 1
