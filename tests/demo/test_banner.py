"""A demo site says on every page that its data is fictional (settings.DEMO_SITE); a real
one says nothing of the kind."""

import importlib

import pytest

from ..registry.factories import ProductFactory

pytestmark = pytest.mark.django_db

BANNER = "This is a demo site"


@pytest.fixture
def pages():
    product = ProductFactory(title="WardWatch")
    return ["/", "/products/", product.url, "/search/?q=ward", "/compare/", "/no-such-page/"]


def test_every_page_of_a_demo_site_says_the_data_is_fictional(pages, client, settings):
    settings.DEMO_SITE = True
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        text = response.content.decode()
        assert text.count(BANNER) == 1, path
        assert "Every product, organisation, person, study and figure on it is fictional" in text


def test_a_site_that_is_not_a_demo_shows_no_banner(pages, client, settings):
    settings.DEMO_SITE = False
    for path in pages:
        assert BANNER not in client.get(path).content.decode(), path


def test_development_turns_the_banner_on_and_production_leaves_it_off(monkeypatch):
    monkeypatch.delenv("DEMO_SITE", raising=False)
    base = importlib.reload(importlib.import_module("config.settings.base"))
    dev = importlib.reload(importlib.import_module("config.settings.dev"))
    assert base.DEMO_SITE is False  # production and tests read base's value
    assert dev.DEMO_SITE is True
    monkeypatch.setenv("DEMO_SITE", "false")
    assert importlib.reload(dev).DEMO_SITE is False
