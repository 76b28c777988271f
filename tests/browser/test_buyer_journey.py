"""A buyer's journey in a real browser: search, filter, compare, shortlist, export and a
frozen record, with axe-core (WCAG 2.2 AA) on the comparison, the shortlist and the record;
and the same buttons working without JavaScript."""

import csv
import io
import re

import pytest

from assessments.models import Standard
from registry.choices import DeviceClass
from registry.models import CareSetting, Category

from ..assessments.factories import ComplianceFactory
from ..registry.factories import EvidenceFactory, ProductFactory, SupplierFactory
from ..search.indices import index_on_demand

pytestmark = [
    pytest.mark.browser,
    pytest.mark.elasticsearch,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def named(label, product):
    """A button or link's accessible name: its visible label, then (hidden) the product.
    Chromium puts a space before the hidden part, so match either way."""
    return re.compile(rf"^{re.escape(label)}\s*:\s*{re.escape(product)}$")


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
        device_class=DeviceClass.IIA,
        summary="Monitors patients on virtual wards and flags early signs of deterioration.",
    )
    home_check = ProductFactory(
        title="HomeCheck ward",
        category=remote,
        care_settings=[home],
        summary="Virtual ward observations recorded by patients at home.",
    )
    ProductFactory(
        title="Warden records",
        category=records,
        summary="An electronic patient record for community wards.",
    )
    ComplianceFactory(product=ward, standard=Standard.objects.get(code="DCB0129"))
    EvidenceFactory(product=ward)
    return ward, home_check


def test_search_filter_compare_shortlist_and_export(
    browser_page, assert_accessible, indexed, catalogue, screenshot_path
):
    indexed()
    page = browser_page
    page.goto("/search/?q=ward")
    page.get_by_label("Remote monitoring and virtual wards (2)").check()
    page.wait_for_url("**/search/?q=ward&category=remote-monitoring-and-virtual-wards")
    # Polled from the test, not wait_for_function: the site's policy forbids eval.
    for _ in range(100):
        if page.locator("#search-status").text_content() == "2 results":
            break
        page.wait_for_timeout(100)
    assert page.locator("#search-status").text_content() == "2 results"

    page.get_by_role("button", name=named("Add to comparison", "WardWatch")).click()
    page.wait_for_url("**/search/?q=ward&category=remote-monitoring-and-virtual-wards")
    assert (
        "WardWatch added to your comparison"
        in page.locator(".nhsuk-notification-banner").inner_text()
    )
    page.get_by_role("button", name=named("Add to comparison", "HomeCheck ward")).click()
    page.get_by_role("button", name=named("Add to shortlist", "WardWatch")).click()
    assert (
        "WardWatch added to your shortlist"
        in page.locator(".nhsuk-notification-banner").inner_text()
    )

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Compare (2)").click()
    page.wait_for_url("**/compare/")
    assert page.get_by_role("heading", name="Compare products", level=1).is_visible()
    device_row = page.locator(
        "tr", has=page.get_by_role("rowheader", name="Medical device class Differs")
    )
    assert device_row.locator("td").all_inner_texts() == ["Class IIa", "Not a medical device"]
    assert_accessible(page)
    page.screenshot(path=str(screenshot_path("compare")), full_page=True)

    page.get_by_role("link", name="Show only the rows that differ").click()
    assert page.get_by_role("rowheader", name="Pricing").count() == 0
    assert page.get_by_role("rowheader", name="Medical device class Differs").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name=named("Add to shortlist", "HomeCheck ward")).click()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Shortlist (2)").click()
    page.wait_for_url("**/shortlist/")
    table = page.get_by_role("table", name="Products on your shortlist")
    assert table.get_by_role("link", name="WardWatch", exact=True).is_visible()
    found_by = table.get_by_role(
        "link", name="Search for \u2018ward\u2019; Category: Remote monitoring and virtual wards"
    )
    assert found_by.count() == 1  # WardWatch was added from the filtered search
    assert_accessible(page)
    page.screenshot(path=str(screenshot_path("shortlist")), full_page=True)

    exported = page.request.get("/shortlist/export.csv")
    assert exported.status == 200
    rows = list(csv.DictReader(io.StringIO(exported.text())))
    assert [row["Product"] for row in rows] == ["WardWatch", "HomeCheck ward"]
    assert rows[0]["Supplier"] == "Bedside Digital Ltd"
    assert rows[0]["Medical device class"] == "Class IIa"
    assert rows[0]["Standards met"] == "1"
    assert rows[0]["Found by"] == (
        "Search for \u2018ward\u2019; Category: Remote monitoring and virtual wards"
    )

    page.get_by_label("Save a dated record for your business case").fill("Virtual wards 2026")
    page.get_by_role("button", name="Save a dated record").click()
    page.wait_for_url("**/shortlist/records/*/")
    assert page.get_by_role("heading", name="Virtual wards 2026", level=1).is_visible()
    assert page.get_by_role("heading", name="1. WardWatch").is_visible()
    assert_accessible(page)
    page.screenshot(path=str(screenshot_path("frozen-record")), full_page=True)

    # Printing hides the site's header and the buttons, and keeps the record.
    page.emulate_media(media="print")
    assert not page.locator(".nhsuk-header").is_visible()
    assert page.get_by_role("heading", name="1. WardWatch").is_visible()


def test_compare_and_shortlist_buttons_work_without_javascript(no_js_page, catalogue):
    ward, home_check = catalogue
    page = no_js_page
    page.goto(ward.url)
    page.get_by_role("button", name=named("Add to comparison", "WardWatch")).click()
    page.wait_for_url(f"**{ward.url}")
    assert page.get_by_role("link", name=named("In your comparison", "WardWatch")).is_visible()
    page.goto(home_check.url)
    page.get_by_role("button", name=named("Add to comparison", "HomeCheck ward")).click()
    page.goto("/compare/")
    assert page.get_by_text("2 products side by side").is_visible()
    page.get_by_role("button", name="Remove WardWatch from the comparison").click()
    assert page.get_by_text("1 product side by side").is_visible()
    page.get_by_role("button", name=named("Add to shortlist", "HomeCheck ward")).click()
    page.goto("/shortlist/")
    assert page.get_by_role("link", name="HomeCheck ward", exact=True).is_visible()


def test_empty_comparison_and_shortlist_are_accessible(browser_page, assert_accessible, db):
    browser_page.goto("/compare/")
    assert browser_page.get_by_text("You have not chosen any products to compare yet").is_visible()
    assert_accessible(browser_page)
    browser_page.goto("/shortlist/")
    assert browser_page.get_by_text("Your shortlist is empty.").is_visible()
    assert_accessible(browser_page)


def sign_in(page, user):
    """Give the browser a signed-in session, as any sign-in view would."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": page.evaluate("location.origin"),
            }
        ]
    )


def test_claim_and_contact_forms_are_accessible_with_errors(browser_page, assert_accessible):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import Membership

    from ..registry.factories import AdoptionFactory, OrganisationFactory

    trust = OrganisationFactory(name="Leeds Teaching Hospitals")
    adoption = AdoptionFactory(contact_email="lead@leedsth.nhs.uk")
    user = get_user_model().objects.create_user("cio", "cio@leedsth.nhs.uk", "unused")
    now = timezone.now()
    Membership.objects.create(
        user=user, organisation=trust, email_verified_at=now, organisation_verified_at=now
    )
    page = browser_page
    page.goto("/")
    sign_in(page, user)

    page.goto(f"/adoptions/claim/{adoption.product.pk}/")
    page.get_by_label("Month").fill("13")
    page.get_by_role("button", name="Send for checking").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert_accessible(page)

    page.goto(f"/adoptions/{adoption.pk}/contact/")
    page.get_by_role("button", name="Send message").click()
    assert page.get_by_role("link", name="Enter your message").is_visible()
    assert_accessible(page)
    page.get_by_label("Your message").fill("How long did the roll-out take?")
    page.get_by_role("button", name="Send message").click()
    assert page.get_by_role("heading", name="Message sent").is_visible()
    assert_accessible(page)
