"""The search page in a real browser: axe-core on the results page, on the autocomplete
listbox while it is open, and on the simplified (database) search; keyboard use of the
combobox; instant filter updates; and the same page working without JavaScript."""

import pytest
from django.test import override_settings

from registry.models import CareSetting, Category

from ..registry.factories import CaseStudyFactory, ProductFactory, SupplierFactory
from ..search.indices import index_on_demand

pytestmark = [
    pytest.mark.browser,
    pytest.mark.elasticsearch,
    # The live server reads what the test writes, so the test cannot run in a transaction;
    # serialized_rollback puts back the reference data the migrations load.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def indexed(es_client, settings):
    yield from index_on_demand(es_client, settings)


@pytest.fixture
def catalogue():
    remote = Category.objects.get(slug="remote-monitoring-and-virtual-wards")
    records = Category.objects.get(slug="electronic-patient-records")
    home = CareSetting.objects.get(slug="home")
    ward = ProductFactory(
        title="WardWatch",
        supplier=SupplierFactory(name="Bedside Digital Ltd"),
        category=remote,
        care_settings=[home],
        summary="Monitors patients on virtual wards and flags early signs of deterioration.",
        clinical_areas=["Heart failure"],
    )
    ProductFactory(
        title="Warden records",
        category=records,
        summary="An electronic patient record for community wards.",
    )
    CaseStudyFactory(title="A virtual ward in Hull", products=[ward])
    return ward


def test_results_page_is_accessible(browser_page, assert_accessible, indexed, catalogue):
    indexed()
    response = browser_page.goto("/search/?q=ward")
    assert response.status == 200
    main = browser_page.locator("main")
    assert main.get_by_role("link", name="WardWatch").is_visible()
    assert main.locator("mark").first.is_visible()
    assert_accessible(browser_page)


def test_autocomplete_listbox_is_accessible_and_works_by_keyboard(
    browser_page, assert_accessible, indexed, catalogue
):
    indexed()
    browser_page.goto("/search/")
    box = browser_page.get_by_role("combobox", name="Search for products")
    assert box.get_attribute("aria-expanded") == "false"
    box.press_sequentially("ward", delay=30)
    listbox = browser_page.get_by_role("listbox", name="Suggestions")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.first.inner_text().startswith("WardWatch")
    assert_accessible(browser_page)

    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"

    box.press("ArrowDown")
    box.press("Enter")
    browser_page.wait_for_url("**/products/wardwatch/")


def test_filters_update_in_place_and_keep_the_address(
    browser_page, assert_accessible, indexed, catalogue
):
    indexed()
    browser_page.goto("/search/?q=ward")
    results = browser_page.locator("#search-results .app-search-result")
    assert results.count() == 3
    browser_page.get_by_label("Electronic patient records (1)").check()
    browser_page.wait_for_url("**/search/?q=ward&category=electronic-patient-records")
    assert results.count() == 1
    # Polled from the test, not wait_for_function: the site's policy forbids eval.
    for _ in range(100):
        if browser_page.locator("#search-status").text_content() == "1 result":
            break
        browser_page.wait_for_timeout(100)
    assert browser_page.locator("#search-status").text_content() == "1 result"
    # Focus stays on the checkbox that was ticked, in the new content.
    assert browser_page.evaluate("document.activeElement.value") == "electronic-patient-records"
    assert_accessible(browser_page)


def test_filters_work_without_javascript(no_js_page, indexed, catalogue):
    indexed()
    no_js_page.goto("/search/?q=ward")
    no_js_page.get_by_label("Electronic patient records (1)").check()
    no_js_page.get_by_role("button", name="Apply filters").click()
    no_js_page.wait_for_url("**/search/?q=ward&category=electronic-patient-records*")
    main = no_js_page.locator("main")
    assert main.get_by_role("link", name="Warden records").is_visible()
    assert main.get_by_role("link", name="WardWatch").count() == 0


def test_a_corrected_search_is_accessible_and_offers_the_words_as_typed(
    browser_page, assert_accessible, indexed, catalogue
):
    indexed()
    browser_page.goto("/search/?q=deteriaration")
    main = browser_page.locator("main")
    assert main.get_by_text("Showing results for \u2018deterioration\u2019.").is_visible()
    assert main.get_by_role("link", name="WardWatch").is_visible()
    assert_accessible(browser_page)
    main.get_by_role("link", name="deteriaration").click()
    browser_page.wait_for_url("**/search/?q=deteriaration&spelling=exact")
    assert main.get_by_role("heading", name="No results for \u2018deteriaration\u2019").is_visible()
    assert_accessible(browser_page)


def test_simplified_search_is_accessible(browser_page, assert_accessible, catalogue):
    with override_settings(ELASTICSEARCH_URL=""):
        browser_page.goto("/search/?q=ward")
        assert browser_page.get_by_text("Search is simplified right now").is_visible()
        assert_accessible(browser_page)
