"""Atom feeds of new products, new case studies and each category's new products."""

import xml.etree.ElementTree as ET

import pytest

from registry.models import Category

from ..registry.factories import CaseStudyFactory, ProductFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 -- our own feed, in a test
    return feed, [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def test_new_products_newest_first_and_only_live_ones(client):
    older = ProductFactory(title="Older product")
    newer = ProductFactory(title="Newer product", summary="Newest of all.")
    ProductFactory(title="A draft", live=False)
    feed, items = entries(client, "/feeds/products/")
    assert feed.findtext(f"{ATOM}title").startswith("New products")
    assert [item["title"] for item in items] == [
        f"Newer product, by {newer.supplier.name}",
        f"Older product, by {older.supplier.name}",
    ]
    assert items[0]["link"] == "http://testserver/products/newer-product/"
    assert items[0]["summary"].startswith("Newest of all. DTAC: not assessed. NICE ESF tier B.")


def test_each_category_has_its_own_feed(client):
    remote = Category.objects.get(slug="remote-monitoring-and-virtual-wards")
    other = Category.objects.exclude(pk=remote.pk).first()
    ProductFactory(title="In the category", category=remote)
    ProductFactory(title="Elsewhere", category=other)
    feed, items = entries(client, f"/feeds/categories/{remote.slug}/")
    assert remote.name in feed.findtext(f"{ATOM}title")
    assert [item["title"].split(",")[0] for item in items] == ["In the category"]
    assert client.get("/feeds/categories/no-such-category/").status_code == 404


def test_new_case_studies(client):
    CaseStudyFactory(title="A virtual ward in Hull", summary="Fewer admissions.")
    CaseStudyFactory(title="Unpublished study", live=False)
    _, items = entries(client, "/feeds/case-studies/")
    assert [item["title"] for item in items] == ["A virtual ward in Hull"]
    assert items[0]["summary"] == "Fewer admissions."


def test_listings_link_to_their_feeds(client):
    remote = Category.objects.get(slug="remote-monitoring-and-virtual-wards")
    ProductFactory(category=remote)
    assert 'href="/feeds/products/"' in client.get("/products/").content.decode()
    category_page = client.get(f"/products/category/{remote.slug}/").content.decode()
    assert f'href="/feeds/categories/{remote.slug}/"' in category_page
    assert 'href="/feeds/case-studies/"' in client.get("/case-studies/").content.decode()
