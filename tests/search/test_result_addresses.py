"""Result addresses come from the sites' root paths, read once, not once per result."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from search.results import page_url

pytestmark = pytest.mark.django_db


def test_a_request_reads_the_site_roots_once_not_once_per_result():
    page_url("/home/warm-up/")
    with CaptureQueriesContext(connection) as queries:
        addresses = [page_url(f"/home/products/product-{n}/") for n in range(20)]
    assert addresses[3] == "/products/product-3/"
    assert len(queries) == 0


def test_a_new_site_root_reaches_result_addresses_at_once():
    page_url("/home/warm-up/")
    new_home = Page.get_first_root_node().add_child(
        instance=Page(title="New home", slug="new-home")
    )
    site = Site.objects.get(is_default_site=True)
    site.root_page = new_home
    site.save()
    assert page_url("/new-home/products/thing/") == "/products/thing/"
