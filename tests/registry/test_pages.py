"""What a visitor sees on each public page, through the Django test client.

Assertions are on the words a user would look for, read from the page's text, not on markup,
so the templates can change shape without breaking these tests.
"""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import ComplianceStatus, Standard
from registry.choices import EvidenceType, Region
from registry.models import CareSetting, Category, ProductIndexPage
from registry.views import server_error

from ..assessments.factories import ComplianceFactory
from .factories import (
    AdoptionFactory,
    CaseStudyFactory,
    EvidenceFactory,
    GuideFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProductFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


BLOCK_ELEMENTS = [
    *("address", "caption", "dd", "div", "dl", "dt", "footer", "form", "h1", "h2", "h3"),
    *("h4", "header", "li", "main", "nav", "ol", "p", "section", "table", "td", "th", "tr", "ul"),
]


def text_of(response_or_html):
    """The page's text as a screen reader would read it, whitespace collapsed."""
    html = getattr(response_or_html, "content", response_or_html)
    soup = BeautifulSoup(html, "html.parser")
    for hidden in [*soup(["script", "style", "title"]), *soup(attrs={"aria-hidden": "true"})]:
        hidden.decompose()
    for element in soup.find_all(BLOCK_ELEMENTS):
        element.insert_before(" ")
        element.insert_after(" ")
    return " ".join(soup.get_text().split())


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, f"{url} answered {response.status_code}"
    return response


@pytest.fixture
def product():
    """A product with every kind of proof, including a certificate that has lapsed."""
    product = ProductFactory(
        title="WardWatch",
        supplier=SupplierFactory(
            name="Bedside Digital Ltd",
            companies_house_number="09876543",
            website="https://bedside.example.com",
        ),
        summary="Monitors patients on virtual wards and flags early signs of deterioration.",
        clinical_areas=["Heart failure", "COPD"],
        last_reviewed_on=datetime.date(2025, 3, 14),
    )
    EvidenceFactory(
        product=product,
        title="A randomised trial of WardWatch in heart failure",
        evidence_type=EvidenceType.RCT,
        year=2023,
        outcomes="Emergency admissions fell by 18%.",
    )
    EvidenceFactory(
        product=product,
        title="Real-world evaluation across three trusts",
        evidence_type=EvidenceType.REAL_WORLD,
        year=2024,
        link="https://evaluations.example.org/wardwatch",
        outcomes="",
    )
    ComplianceFactory(product=product, standard=Standard.objects.get(code="DCB0129"))
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="CE_PLUS"),
        assessed_on=TODAY - datetime.timedelta(days=400),
        expires_on=datetime.date(2024, 6, 30),
        evidence_url="https://certificates.example.org/ce-plus",
    )
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="DSPT"),
        status=ComplianceStatus.PARTIALLY_MET,
        expires_on=TODAY + datetime.timedelta(days=200),
    )
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="DTAC"),
        expires_on=TODAY + datetime.timedelta(days=100),
    )
    AdoptionFactory(
        product=product,
        organisation=OrganisationFactory(
            name="Leeds Teaching Hospitals NHS Trust",
            ods_code="RR8",
            region=Region.NORTH_EAST_AND_YORKSHIRE,
        ),
    )
    AdoptionFactory(
        product=product,
        organisation=OrganisationFactory(
            name="Barts Health NHS Trust", ods_code="R1H", region=Region.LONDON
        ),
    )
    AdoptionFactory(
        product=product,
        organisation=OrganisationFactory(name="Unconfirmed Community Trust", ods_code="RY9"),
        confirmed=False,
    )
    return product


@pytest.fixture
def case_study(product):
    case_study = CaseStudyFactory(
        title="Virtual wards at Leeds",
        organisation=product.adoptions.get(organisation__ods_code="RR8").organisation,
        products=[product],
        costs="<p>£120,000 a year for 400 virtual ward beds.</p>",
        lessons_learnt="<p>Train the night team first.</p>",
        contact_email="peer.contact@nhs.example",
        tags=["virtual wards"],
    )
    OutcomeFactory(case_study=case_study, metric="Did not attend rate", before=10, after=6.5)
    OutcomeFactory(
        case_study=case_study,
        metric="Average length of stay",
        before=7.2,
        after=5.9,
        unit="days",
        period="6 months",
    )
    return case_study


@pytest.fixture
def unpublished_product():
    return ProductFactory(title="Secret draft product", live=False)


# --- Home --------------------------------------------------------------------------------------


def test_home_page_offers_search_and_browsing_with_counts(client, product, case_study):
    GuideFactory(title="Choosing a virtual ward platform", featured=True)
    GuideFactory(title="A guide nobody featured", featured=False)
    response = get(client, "/")
    text = text_of(response)
    soup = soup_of(response)

    assert len(soup.find_all("h1")) == 1
    form = soup.find("form", attrs={"role": "search"})
    assert form["action"] == "/search/"
    assert form["method"] == "get"
    search_input = form.find("input", attrs={"name": "q"})
    assert soup.find("label", attrs={"for": search_input["id"]})

    assert "1 product is listed" in text
    category = product.category
    assert f"{category.name} (1 product)" in text
    assert soup.find("a", href=f"/products/category/{category.slug}/")
    care_setting = product.care_settings.get()
    assert soup.find("a", href=f"/products/care-setting/{care_setting.slug}/")
    assert "Virtual wards at Leeds" in text
    assert "Choosing a virtual ward platform" in text
    assert "A guide nobody featured" not in text


def test_home_page_counts_only_published_products(client, product, unpublished_product):
    text = text_of(get(client, "/"))
    assert "1 product is listed" in text


# --- Product page ------------------------------------------------------------------------------


def test_product_page_shows_the_three_kinds_of_proof_at_a_glance(client, product):
    response = get(client, product.url)
    soup = soup_of(response)
    glance = text_of(str(soup.find(id="at-a-glance").find_parent("section")))

    assert "NICE ESF tier B" in glance
    assert "Helps people manage their own health and wellness." in glance
    assert "2 evidence items" in glance
    assert "Randomised controlled trial: 1" in glance
    assert "Real-world evaluation: 1" in glance
    assert "1 met" in glance  # DCB0129: the DTAC has its own badge; the lapsed CE+ no longer counts
    assert "1 expired" in glance
    assert "2 adopters" in glance
    assert "in: London North East and Yorkshire" in glance
    # The DTAC row says met, but the sections and what they rest on (a DSPT only partially
    # met, for one) do not: the DTAC reads "Not passed", with the reason.
    assert "Not passed" in glance
    assert "DSPT" in glance


def test_product_page_lists_evidence_with_links_and_outcomes(client, product):
    soup = soup_of(get(client, product.url))
    evidence = soup.find(id="evidence")
    text = text_of(str(evidence))

    trial = evidence.find("a", string="A randomised trial of WardWatch in heart failure")
    assert trial["href"] == "https://doi.org/10.1136/bmj.m1234"
    assert "Randomised controlled trial, 2023" in text
    assert "412 adults with heart failure across three trusts." in text
    assert "Emergency admissions fell by 18%." in text
    assert evidence.find("a", href="https://evaluations.example.org/wardwatch")


def test_product_page_shows_an_expired_certificate_as_expired(client, product):
    soup = soup_of(get(client, product.url))
    row = next(
        tr for tr in soup.find(id="standards").find_all("tr") if "Cyber Essentials Plus" in tr.text
    )
    tag = row.find(class_="nhsuk-tag")
    assert tag.get_text(strip=True) == "Expired"
    assert "nhsuk-tag--red" in tag["class"]
    assert "Met until 30 June 2024" in text_of(str(row))
    assert row.find("a", href="https://certificates.example.org/ce-plus")


def test_product_page_status_tags_carry_words_as_well_as_colour(client, product):
    soup = soup_of(get(client, product.url))
    standards = soup.find(id="standards")

    def tag_for(name):
        row = next(tr for tr in standards.find_all("tr") if tr.th and name in tr.th.text)
        tag = row.find(class_="nhsuk-tag")
        return tag.get_text(strip=True), [c for c in tag["class"] if c.startswith("nhsuk-tag--")]

    assert tag_for("Clinical risk management: manufacture") == ("Met", ["nhsuk-tag--green"])
    assert tag_for("Data Security and Protection Toolkit") == (
        "Partially met",
        ["nhsuk-tag--yellow"],
    )
    assert tag_for("ISO/IEC 27001") == ("No information", ["nhsuk-tag--grey"])


def test_product_page_groups_standards_in_captioned_tables(client, product):
    soup = soup_of(get(client, product.url))
    tables = soup.find(id="standards").find_all("table")
    captions = [table.caption.get_text(strip=True) for table in tables]
    assert captions[:3] == ["Clinical safety", "Data protection", "Technical security"]
    for table in tables:
        assert all(th.get("scope") in {"col", "row"} for th in table.find_all("th"))


def test_product_page_lists_confirmed_adopters_only(client, product):
    adoption = soup_of(get(client, product.url)).find(id="adoption")
    text = text_of(str(adoption))

    assert "2 organisations have confirmed they use WardWatch, in 2 NHS England regions." in text
    assert "Leeds Teaching Hospitals NHS Trust RR8 North East and Yorkshire April 2023" in text
    assert "Barts Health NHS Trust R1H London" in text
    assert "Unconfirmed Community Trust" not in text


def test_product_page_shows_case_studies_with_headline_outcomes(client, product, case_study):
    section = soup_of(get(client, product.url)).find(id="case-studies")
    text = text_of(str(section))

    assert section.find("a", string="Virtual wards at Leeds")["href"] == case_study.url
    assert "Leeds Teaching Hospitals NHS Trust" in text
    assert "Did not attend rate: 10% to 6.5%" in text
    assert "Average length of stay: 7.2 days to 5.9 days" in text


def test_product_page_shows_supplier_regulation_and_review_date(client, product):
    text = text_of(get(client, product.url))

    assert "Companies House number 09876543" in text
    assert "https://bedside.example.com" in text
    assert "Medical device class Not a medical device" in text
    assert "Pricing Annual subscription" in text
    assert "Deployment Cloud-hosted (software as a service)" in text
    assert "COPD" in text
    assert "Heart failure" in text
    assert "Listing last reviewed: 14 March 2025" in text


def test_product_page_breadcrumb_leads_back_to_products(client, product):
    breadcrumb = soup_of(get(client, product.url)).find("nav", attrs={"aria-label": "Breadcrumb"})
    trail = [(a.get_text(strip=True), a["href"]) for a in breadcrumb.find("ol").find_all("a")]
    assert trail == [("Home", "/"), ("Products", "/products/")]
    assert breadcrumb.find("a", class_="nhsuk-back-link")["href"] == "/products/"


def test_unpublished_product_page_is_not_found(client, unpublished_product):
    get(client, "/products/secret-draft-product/", status=404)


# --- Case studies and guides -------------------------------------------------------------------


def test_case_study_page_shows_outcomes_and_never_the_contact_email(client, product, case_study):
    response = get(client, case_study.url)
    text = text_of(response)

    assert "Leeds Teaching Hospitals NHS Trust (ODS code RR8)" in text
    assert "WardWatch by Bedside Digital Ltd" in text
    assert "One in ten outpatient appointments was missed." in text
    assert "Two-way text reminders with easy rebooking." in text
    assert "Did not attend rate 10% 6.5% Down 3.5 percentage points (35%) 12 months" in text
    assert "Average length of stay 7.2 days 5.9 days Down 1.3 days (18%) 6 months" in text
    assert "£120,000 a year for 400 virtual ward beds." in text
    assert "Train the night team first." in text
    assert "Alex Example, Head of digital transformation" in text
    assert "1 May 2024" in text
    assert "virtual wards" in text
    assert b"peer.contact@nhs.example" not in response.content

    table = soup_of(response).find("table")
    caption = table.caption.get_text(strip=True)
    assert caption == "What changed at Leeds Teaching Hospitals NHS Trust"


def test_case_study_page_hides_unpublished_products(client, product, unpublished_product):
    case_study = CaseStudyFactory(products=[product, unpublished_product])
    text = text_of(get(client, case_study.url))
    assert "WardWatch" in text
    assert "Secret draft product" not in text


def test_guide_page_shows_body_related_products_and_tags(client, product):
    guide = GuideFactory(
        title="Choosing a virtual ward platform", products=[product], tags=["procurement"]
    )
    text = text_of(get(client, guide.url))

    assert "What to ask suppliers, and how to plan a safe roll-out." in text
    assert "Start with the clinical pathway, not the technology." in text
    assert "WardWatch" in text
    assert "By Bedside Digital Ltd" in text
    assert "procurement" in text


def test_case_study_and_guide_indexes_list_what_is_published(client, case_study):
    GuideFactory(title="Choosing a virtual ward platform")
    GuideFactory(title="Unpublished guide", live=False)

    studies = text_of(get(client, "/case-studies/"))
    assert "1 case study" in studies
    assert "Virtual wards at Leeds" in studies
    assert "Did not attend rate: 10% to 6.5%" in studies

    guides = text_of(get(client, "/guides/"))
    assert "Choosing a virtual ward platform" in guides
    assert "Unpublished guide" not in guides


# --- Listings ----------------------------------------------------------------------------------


def test_product_listing_never_lists_unpublished_products(client, product, unpublished_product):
    text = text_of(get(client, "/products/"))
    assert "WardWatch" in text
    assert "Bedside Digital Ltd" in text
    assert "Monitors patients on virtual wards" in text
    assert "Secret draft product" not in text
    assert "1 product" in text


def test_product_listing_paginates(client):
    supplier = SupplierFactory()
    for number in range(23):
        ProductFactory(title=f"Product {number:02d}", supplier=supplier)

    first = get(client, "/products/")
    assert "Showing 1 to 20 of 23 products" in text_of(first)
    pagination = soup_of(first).find("nav", attrs={"aria-label": "Pagination"})
    assert pagination.find("a", attrs={"aria-current": "page"}).get_text(strip=True) == "1"
    assert pagination.find("a", attrs={"rel": "next"})["href"] == "?page=2"

    second = text_of(get(client, "/products/?page=2"))
    assert "Showing 21 to 23 of 23 products" in second
    assert "Product 22" in second
    assert "Product 00" not in second


def test_category_and_care_setting_listings_filter_products(client, product):
    other_category = Category.objects.exclude(pk=product.category_id).first()
    ProductFactory(title="Rota planner", category=other_category, care_settings=[])
    care_setting = product.care_settings.get()

    by_category = get(client, f"/products/category/{product.category.slug}/")
    text = text_of(by_category)
    assert product.category.name in text
    assert "WardWatch" in text
    assert "Rota planner" not in text
    breadcrumb = soup_of(by_category).find("nav", attrs={"aria-label": "Breadcrumb"})
    assert breadcrumb.find("a", href="/products/")

    by_setting = text_of(get(client, f"/products/care-setting/{care_setting.slug}/"))
    assert care_setting.name in by_setting
    assert "WardWatch" in by_setting
    assert "Rota planner" not in by_setting


def test_empty_category_says_so(client):
    category = Category.objects.get(slug="social-care-management")
    text = text_of(get(client, f"/products/category/{category.slug}/"))
    assert "There are no products in this category yet." in text


def test_unknown_category_or_care_setting_is_not_found(client):
    assert "Page not found" in text_of(get(client, "/products/category/no-such-thing/", 404))
    get(client, "/products/care-setting/no-such-thing/", status=404)


# --- Search ------------------------------------------------------------------------------------


def quoted(words):
    """Words in the curly quotes the NHS.UK content style uses."""
    return f"\u2018{words}\u2019"


def test_search_shows_the_query_count_and_results(client, product, unpublished_product):
    response = get(client, "/search/?q=virtual+wards")
    text = text_of(response)

    assert f"1 result for {quoted('virtual wards')}" in text
    assert "WardWatch" in text
    assert "By Bedside Digital Ltd" in text
    assert "Monitors patients on virtual wards" in text
    assert soup_of(response).find("input", id="search-query")["value"] == "virtual wards"


def test_search_finds_products_by_supplier_name(client, product):
    assert "WardWatch" in text_of(get(client, "/search/?q=bedside"))


def test_search_never_shows_unpublished_products(client, unpublished_product):
    text = text_of(get(client, "/search/?q=secret"))
    assert f"No results for {quoted('secret')}" in text


def test_search_with_no_matches_suggests_next_steps(client, product):
    response = get(client, "/search/?q=xylophone")
    text = text_of(response)
    assert f"No results for {quoted('xylophone')}" in text
    assert "check the spelling" in text
    assert soup_of(response).find("a", href="/products/")


def test_search_pagination_keeps_the_query(client):
    supplier = SupplierFactory(name="Paging Health Ltd")
    for number in range(21):
        ProductFactory(title=f"Paged product {number:02d}", supplier=supplier)
    soup = soup_of(get(client, "/search/?q=paging"))
    next_link = soup.find("nav", attrs={"aria-label": "Pagination"}).find("a", rel="next")
    assert "q=paging" in next_link["href"]
    assert "page=2" in next_link["href"]


def test_search_without_a_query_shows_the_form(client):
    response = get(client, "/search/")
    assert "Search the registry" in text_of(response)
    assert soup_of(response).find("label", attrs={"for": "search-query"})


# --- Errors ------------------------------------------------------------------------------------


def test_unknown_address_shows_a_friendly_not_found_page(client):
    response = get(client, "/no-such-page/", status=404)
    text = text_of(response)
    assert "Page not found" in text
    assert "If you typed the web address, check it was correct." in text
    assert soup_of(response).find("a", href="/search/")


def test_server_error_page_renders_without_a_request_or_the_database(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    text = text_of(html)
    assert "Sorry, there is a problem with the service" in text
    assert "Try again later." in text


def test_server_error_handler_answers_500_without_the_database(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(rf.get("/products/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in text_of(response)


def test_every_page_has_one_h1_a_skip_link_and_a_main_landmark(client, product, case_study):
    guide = GuideFactory()
    index = ProductIndexPage.objects.get()
    care_setting = CareSetting.objects.first()
    urls = [
        "/",
        product.url,
        case_study.url,
        guide.url,
        index.url,
        f"/products/care-setting/{care_setting.slug}/",
        "/case-studies/",
        "/guides/",
        "/search/?q=ward",
        "/search/?q=nothing-matches",
    ]
    for url in urls:
        soup = soup_of(get(client, url))
        assert len(soup.find_all("h1")) == 1, url
        assert soup.find("a", class_="nhsuk-skip-link")["href"] == "#maincontent", url
        assert soup.find("main", id="maincontent"), url
