"""What every answer shares: ETags and 304s, cursors, gzip, CORS for reads, one error body."""

import gzip
import json

import pytest

from tests.registry.factories import (
    OrganisationFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


def test_an_unchanged_answer_is_304_until_the_data_changes(api_get):
    product = ProductFactory()
    first = api_get(f"/products/{product.pk}")
    etag = first["ETag"]
    assert etag.startswith('"')
    assert first["Last-Modified"]

    again = api_get(f"/products/{product.pk}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    by_date = api_get(f"/products/{product.pk}", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304

    product.summary = "A new summary that changes the answer."
    product.save_revision().publish()
    changed = api_get(f"/products/{product.pk}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["summary"] == "A new summary that changes the answer."


def test_cursors_walk_a_list_once_each_in_id_order(api_get):
    made = [OrganisationFactory().pk for _ in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api_get("/organisations", params).json()
        seen.extend(item["id"] for item in body["items"])
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
        assert str(made[0]) not in cursor  # opaque, not the id in plain sight
    assert seen == sorted(seen)
    assert set(made) <= set(seen)
    assert len(seen) == len(set(seen)) == body["total"]
    assert pages == -(-body["total"] // 3)


def test_updated_since_leaves_out_older_records(api_get):
    old = OrganisationFactory()
    marker = api_get(f"/organisations/{old.pk}").json()["updated_at"]
    new = OrganisationFactory()
    new.name = "Renamed later"
    new.save()
    body = api_get("/organisations", {"updated_since": marker, "limit": 100}).json()
    ids = [item["id"] for item in body["items"]]
    assert new.pk in ids
    assert (
        api_get("/organisations", {"updated_since": "2999-01-01T00:00:00Z"}).json()["items"] == []
    )


def test_answers_are_gzipped_for_clients_that_ask(api_get):
    for _ in range(3):
        ProductFactory()
    response = api_get("/products", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["total"] >= 3


def test_any_site_may_read_the_api_from_a_browser(client):
    response = client.get("/api/v1/standards", headers={"origin": "https://formulary.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "etag" in response["Access-Control-Expose-Headers"].lower()
    preflight = client.options(
        "/api/v1/standards",
        headers={"origin": "https://formulary.example", "access-control-request-method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    # Pages outside the API are not opened to other sites.
    page = client.get("/search/", headers={"origin": "https://formulary.example"})
    assert "Access-Control-Allow-Origin" not in page


@pytest.mark.parametrize(
    ("path", "params", "status", "code", "field"),
    [
        ("/products", {"limit": 0}, 400, "bad_request", "limit"),
        ("/products", {"esf_tier": "Z"}, 400, "bad_request", "esf_tier.0"),
        ("/products", {"cursor": "!!"}, 400, "bad_request", "cursor"),
        ("/products", {"updated_since": "yesterday"}, 400, "bad_request", "updated_since"),
        ("/products/999999999", {}, 404, "not_found", None),
        ("/nothing-here/", {}, 404, "not_found", None),
    ],
)
def test_every_error_has_the_same_body(api_get, path, params, status, code, field):
    response = api_get(path, params)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == status
    assert error["code"] == code
    assert error["message"]
    if field:
        assert field in [detail["field"] for detail in error["details"]]


def test_a_server_error_has_the_same_body(api_get, monkeypatch):
    from api import records

    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(records, "adoption_statistics", broken)
    response = api_get("/statistics/adoption")
    assert response.status_code == 500
    assert response.json()["error"] == {
        "status": 500,
        "code": "server_error",
        "message": "Something went wrong on our side. Try again later.",
        "details": [],
    }
    assert "database went away" not in response.content.decode()


def test_only_reads_are_answered(client):
    response = client.post("/api/v1/products", {})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_gzipped_answer_is_304_with_its_weak_etag(api_get):
    ProductFactory()
    first = api_get("/products", HTTP_ACCEPT_ENCODING="gzip")
    assert first["ETag"].startswith('W/"')
    again = api_get("/products", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_openapi_document_describes_every_endpoint_with_examples(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/v1/products", "/api/v1/products/{product_id}", "/api/v1/organisations",
        "/api/v1/standards", "/api/v1/categories", "/api/v1/care-settings",
        "/api/v1/case-studies", "/api/v1/guides", "/api/v1/statistics/adoption",
        "/api/v1/changes", "/api/v1/search", "/api/v1/autocomplete",
    ):  # fmt: skip
        operation = paths[path]["get"]
        assert {"200", "400", "404", "429", "500"} <= set(operation["responses"]), path
    schemas = document["components"]["schemas"]
    assert schemas["ProductOut"]["properties"]["catalogue_id"]["examples"]
    assert schemas["ErrorOut"]
    assert "Retry-After" in document["info"]["description"]


def test_head_answers_like_get_without_a_body(client):
    response = client.head("/api/v1/standards")
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"]


def test_a_far_time_zone_offset_is_understood(api_get):
    response = api_get("/products", {"updated_since": "2032-07-27T19:29:53+20:19"})
    assert response.status_code == 200
