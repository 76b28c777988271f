"""Every kind of public page, in a real browser, checked by axe-core against WCAG 2.2 AA,
plus the things axe cannot judge: keyboard focus and working without JavaScript."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import ComplianceStatus, Standard
from registry.choices import EvidenceType, Region

from ..assessments.factories import ComplianceFactory
from ..registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    EvidenceFactory,
    GuideFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProductFactory,
    SupplierFactory,
)

pytestmark = [
    pytest.mark.browser,
    # The live server reads what the test writes, so the test cannot run in a transaction;
    # serialized_rollback puts back the reference data the migrations load.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TODAY = timezone.localdate()
PRODUCT_PATH = "/products/wardwatch/"
CASE_STUDY_PATH = "/case-studies/virtual-wards-at-leeds/"


@pytest.fixture
def product():
    """A product with every kind of proof: evidence, standards (one expired), adopters and a
    case study."""
    product = ProductFactory(
        title="WardWatch",
        supplier=SupplierFactory(name="Bedside Digital Ltd", website="https://example.com"),
        summary="Monitors patients on virtual wards and flags early signs of deterioration.",
        clinical_areas=["Heart failure", "COPD"],
        last_reviewed_on=TODAY - datetime.timedelta(days=20),
        description=[("text", "<h3>How it works</h3><p>Patients wear a sensor patch.</p>")],
    )
    EvidenceFactory(product=product, outcomes="Emergency admissions fell by 18%.")
    EvidenceFactory(product=product, evidence_type=EvidenceType.REAL_WORLD, link="", year=2024)
    ComplianceFactory(product=product, standard=Standard.objects.get(code="DCB0129"))
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="CE_PLUS"),
        assessed_on=TODAY - datetime.timedelta(days=400),
        expires_on=TODAY - datetime.timedelta(days=35),
        evidence_url="https://example.com/certificate",
    )
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="DSPT"),
        status=ComplianceStatus.PARTIALLY_MET,
        notes="Working towards standards met; action plan agreed.",
    )
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="NHS_LOGIN"),
        status=ComplianceStatus.IN_PROGRESS,
    )
    ComplianceFactory(
        product=product, standard=Standard.objects.get(code="CQC"), status=ComplianceStatus.NOT_MET
    )
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="DTAC"),
        expires_on=TODAY + datetime.timedelta(days=100),
    )
    leeds = OrganisationFactory(
        name="Leeds Teaching Hospitals NHS Trust",
        ods_code="RR8",
        region=Region.NORTH_EAST_AND_YORKSHIRE,
    )
    AdoptionFactory(product=product, organisation=leeds)
    AdoptionFactory(product=product)
    case_study = CaseStudyFactory(
        title="Virtual wards at Leeds",
        organisation=leeds,
        products=[product],
        costs="<p>£120,000 a year.</p>",
        lessons_learnt="<ul><li>Train the night team first.</li></ul>",
        contact_email="never.shown@nhs.example",
        tags=["virtual wards"],
    )
    OutcomeFactory(case_study=case_study)
    OutcomeFactory(case_study=case_study, metric="Bed days", before=1200, after=950, unit="days")
    return product


@pytest.fixture
def guide(product):
    return GuideFactory(
        title="Choosing a virtual ward platform",
        products=[product],
        tags=["procurement"],
        body=[
            ("text", "<h2>Before you buy</h2><p>Start with the clinical pathway.</p>"),
            ("inset_text", {"body": "<p>Check the DTAC before you sign.</p>"}),
            ("warning_callout", {"title": "Important", "heading_level": 3, "body": "<p>Ask.</p>"}),
            ("details", {"title": "What DCB0160 asks of you", "body": []}),
        ],
    )


@pytest.fixture
def many_products():
    supplier = SupplierFactory()
    for number in range(21):
        ProductFactory(title=f"Listed product {number:02d}", supplier=supplier)


def test_home_page(product, guide, browser_page, assert_accessible):
    response = browser_page.goto("/")
    assert response.status == 200
    assert browser_page.locator("h1").inner_text() == "Find proven digital health products"
    assert_accessible(browser_page)


def test_product_page(product, browser_page, assert_accessible, screenshot_path):
    response = browser_page.goto(PRODUCT_PATH)
    assert response.status == 200
    expired = browser_page.locator("tr", has_text="Cyber Essentials Plus").locator(".nhsuk-tag")
    assert expired.inner_text() == "Expired"
    assert_accessible(browser_page)
    browser_page.screenshot(path=screenshot_path("product_page"), full_page=True)


def test_product_page_on_a_phone(product, browser_page, assert_accessible, screenshot_path):
    browser_page.set_viewport_size({"width": 375, "height": 812})
    browser_page.goto(PRODUCT_PATH)
    assert_accessible(browser_page)
    browser_page.screenshot(path=screenshot_path("product_page_phone"), full_page=True)


def test_case_study_page(product, browser_page, assert_accessible):
    response = browser_page.goto(CASE_STUDY_PATH)
    assert response.status == 200
    assert "never.shown@nhs.example" not in browser_page.content()
    assert_accessible(browser_page)


def test_guide_page(guide, browser_page, assert_accessible):
    response = browser_page.goto("/guides/choosing-a-virtual-ward-platform/")
    assert response.status == 200
    assert browser_page.locator(".nhsuk-details").is_visible()
    assert_accessible(browser_page)


def test_product_listing(product, many_products, browser_page, assert_accessible):
    response = browser_page.goto("/products/")
    assert response.status == 200
    assert browser_page.locator("nav[aria-label=Pagination]").is_visible()
    assert_accessible(browser_page)


def test_category_listing(product, browser_page, assert_accessible):
    response = browser_page.goto("/products/category/appointments-and-waiting-lists/")
    assert response.status == 200
    assert_accessible(browser_page)


def test_case_study_and_guide_listings(product, guide, browser_page, assert_accessible):
    for path in ("/case-studies/", "/guides/"):
        assert browser_page.goto(path).status == 200
        assert_accessible(browser_page)


def test_search_results_page(product, browser_page, assert_accessible):
    response = browser_page.goto("/search/?q=wardwatch")
    assert response.status == 200
    assert browser_page.locator("main").get_by_role("link", name="WardWatch").is_visible()
    assert_accessible(browser_page)


def test_search_with_no_results(product, browser_page, assert_accessible):
    browser_page.goto("/search/?q=xylophone")
    no_results = browser_page.get_by_role("heading", level=2).filter(has_text="No results")
    assert no_results.is_visible()
    assert_accessible(browser_page)


def test_not_found_page(browser_page, assert_accessible):
    response = browser_page.goto("/no-such-page/")
    assert response.status == 404
    assert browser_page.locator("h1").inner_text() == "Page not found"
    assert_accessible(browser_page)


def test_search_works_without_javascript(product, no_js_page):
    no_js_page.goto("/")
    no_js_page.get_by_label("Search for a product").fill("virtual wards")
    no_js_page.get_by_role("search", name="Products").get_by_role("button").click()
    no_js_page.wait_for_url("**/search/?q=virtual+wards")
    assert no_js_page.locator("main").get_by_role("link", name="WardWatch").is_visible()


def test_skip_link_is_first_and_focus_is_visible(product, browser_page):
    browser_page.goto(PRODUCT_PATH)
    browser_page.keyboard.press("Tab")
    skip_link = browser_page.locator(".nhsuk-skip-link")
    assert skip_link.evaluate("element => element === document.activeElement")
    assert skip_link.is_visible()
    skip_link.press("Enter")
    assert browser_page.evaluate("document.activeElement.id") == "maincontent"

    browser_page.keyboard.press("Tab")
    style = browser_page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return {background: s.backgroundColor, outline: s.outlineStyle} }"
    )
    # NHS.UK focus style: a yellow background with a dark bar beneath, or an outline.
    assert style["background"] == "rgb(255, 235, 59)" or style["outline"] != "none", style


def test_the_harness_reports_violations(browser_page, assert_accessible):
    """Guards against a check that passes because axe never ran."""
    browser_page.set_content('<html><body><main><img src="x.png"></main></body></html>')
    with pytest.raises(pytest.fail.Exception, match=r"image-alt \[critical\]"):
        assert_accessible(browser_page)
