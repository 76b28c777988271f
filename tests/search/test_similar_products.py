"""A product page suggests similar products from the index, and never itself."""

import pytest

from registry.models import Category

from ..registry.factories import ProductFactory
from .asking import page_text
from .indices import index_on_demand

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch]


@pytest.fixture
def indexed(es_client, settings):
    yield from index_on_demand(es_client, settings)


def test_product_page_lists_similar_products_from_the_index(client, indexed):
    monitoring = Category.objects.get(slug="remote-monitoring-and-virtual-wards")
    therapy = Category.objects.get(slug="digital-therapeutics")
    summary = "Remote monitoring of heart failure patients at home on a virtual ward."
    product = ProductFactory(title="WardWatch", category=monitoring, summary=summary)
    ProductFactory(title="HeartHome", category=monitoring, summary=summary)
    ProductFactory(title="CalmMind", category=therapy, summary="Digital CBT for anxiety.")
    indexed()

    text = page_text(client.get(product.url))

    similar = text.split("Similar products", 1)[1]
    assert "HeartHome" in similar
    assert "WardWatch" not in similar
