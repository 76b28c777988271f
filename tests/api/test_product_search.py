"""Text search on the product list: `q` means what it means on /api/v1/search, from
whichever engine answers, and the cursor walks every match once in the search's order."""

import pytest
from django.test import override_settings

from registry.models import ProductPage
from search.models import SearchQueryLog
from tests.registry.factories import ProductFactory
from tests.search.indices import index_on_demand

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch]


@pytest.fixture
def indexed(es_client, settings):
    yield from index_on_demand(es_client, settings)


@pytest.fixture(scope="module")
def catalogue(module_transaction):
    """More matches than one page of the search (20), some in tier C, and others; made once
    for the module (every test here reads it)."""
    for number in range(23):
        ProductFactory(
            title=f"Wound camera {number}",
            summary="Photographs of pressure ulcers and wounds for the tissue viability team.",
            esf_tier="C" if number % 3 == 0 else "B",
        )
    ProductFactory(title="Wound care records", summary="Dressings and wound notes.", esf_tier="A")
    for number in range(4):
        ProductFactory(title=f"Sleep diary {number}", summary="Insomnia help.")


def walk(api_get, limit, **params):
    """Every item of the list, page by page: (ids, pages, the last body)."""
    ids, cursor, pages = [], None, 0
    while True:
        response = api_get(
            "/products", {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            return ids, pages, body


def searched(client, **params):
    """Product ids as /api/v1/search answers, every page."""
    ids, page = [], 1
    while True:
        body = client.get("/api/v1/search", {**params, "kind": "product", "page": page}).json()
        ids += [int(result["id"]) for result in body["results"]]
        if page >= body["num_pages"]:
            return ids, body
        page += 1


@pytest.mark.parametrize("engine", ["elasticsearch", "database"])
def test_q_finds_what_the_search_finds_in_its_order(api_get, client, indexed, catalogue, engine):
    indexed()
    with override_settings(**({"ELASTICSEARCH_URL": ""} if engine == "database" else {})):
        expected, search_body = searched(client, q="wounds")
        assert search_body["engine"] == engine
        assert len(expected) == 24  # both pages of the search

        ids, pages, body = walk(api_get, 7, q="wounds")
        assert ids == expected  # the same products, once each, best match first
        assert pages == 4 and body["total"] == 24
        assert body["search"]["engine"] == engine
        assert body["items"][0]["dtac"]["state"]  # each item as the list serves it

        expected, _ = searched(client, q="wounds", esf_tier="C")
        ids, _, body = walk(api_get, 5, q="wounds", esf_tier="C")
        assert ids == expected and len(ids) == 8


def test_a_walk_is_one_search_and_unknown_values_are_ignored_with_a_notice(
    api_get, indexed, catalogue
):
    indexed()
    before = SearchQueryLog.objects.count()
    walk(api_get, 10, q="wound camera")
    logged = SearchQueryLog.objects.order_by("pk")[before:]
    assert [(row.query, row.channel) for row in logged] == [("wound camera", "api")]

    # As on /search, a filter value the registry does not know is dropped, and said so.
    body = api_get("/products", {"q": "wound", "category": "no-such-category"}).json()
    assert body["total"] == 24
    assert any("no-such-category" in notice for notice in body["search"]["notices"])


def test_cursors_that_do_not_fit_a_search_are_refused(api_get, catalogue):
    listing = api_get("/products", {"limit": 2}).json()
    response = api_get("/products", {"q": "wound", "cursor": listing["next"]})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "cursor"

    with override_settings(ELASTICSEARCH_URL=""):
        matched = api_get("/products", {"q": "wound", "limit": 2}).json()
    response = api_get("/products", {"cursor": matched["next"]})
    assert response.status_code == 400


def test_updated_since_leaves_out_matches_that_have_not_changed(api_get, catalogue):
    with override_settings(ELASTICSEARCH_URL=""):
        first = api_get("/products", {"q": "wound care records"}).json()["items"][0]
        edited = ProductPage.objects.get(pk=first["id"])
        edited.summary = "Dressings, wound notes and photographs."
        edited.save_revision().publish()
        since = api_get(f"/products/{edited.pk}").json()["updated_at"]
        body = api_get("/products", {"q": "wound", "updated_since": since, "limit": 100}).json()
    assert [item["id"] for item in body["items"]] == [edited.pk]
    assert body["total"] == 24
