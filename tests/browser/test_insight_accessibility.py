"""The insight pages in a real browser, checked by axe-core against WCAG 2.2 AA: organisation
pages, local formularies (page, embed, editing) and the insight dashboard with every panel.
Screenshots at desktop and phone widths are kept for a person to look at."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Membership
from formularies.models import Formulary, FormularyEntry
from insight.panels import PANELS
from registry.choices import Region

from ..accounts.factories import PASSWORD, UserFactory
from ..assessments.factories import AssessorFactory
from ..insight.test_long_tables import long_table  # noqa: F401 - a fixture
from ..insight.test_panels import pass_dtac
from ..registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProductFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def trust():
    trust = OrganisationFactory(
        name="Leeds Teaching Hospitals", region=Region.NORTH_EAST_AND_YORKSHIRE
    )
    peer = OrganisationFactory(
        name="Bradford Teaching Hospitals", region=Region.NORTH_EAST_AND_YORKSHIRE
    )
    shared, proven = ProductFactory(title="WardWatch"), ProductFactory(title="BreatheWell")
    pass_dtac(proven)
    for organisation, product, year in [
        (trust, shared, 2022),
        (peer, shared, 2021),
        (peer, proven, 2024),
    ]:
        AdoptionFactory(organisation=organisation, product=product, since=datetime.date(year, 1, 1))
    study = CaseStudyFactory(organisation=trust, products=[shared], title="Virtual wards at Leeds")
    OutcomeFactory(case_study=study)
    Membership.objects.create(  # a published formulary is public while someone answers for it
        user=UserFactory(username="formulary@leeds.nhs.uk", email="formulary@leeds.nhs.uk"),
        organisation=trust,
        email_verified_at=timezone.now(),
        organisation_verified_at=timezone.now(),
    )
    formulary = Formulary.objects.create(
        organisation=trust, published=True, introduction="For our teams."
    )
    FormularyEntry.objects.create(formulary=formulary, product=shared, note="Cardiology only")
    return trust


def look(page, assert_accessible, screenshot_path, name):
    assert_accessible(page)
    page.screenshot(path=screenshot_path(f"{name}-1280"), full_page=True)
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    page.screenshot(path=screenshot_path(f"{name}-390"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_organisation_page(trust, browser_page, assert_accessible, screenshot_path):
    assert browser_page.goto(f"/organisations/{trust.pk}/").status == 200
    assert "BreatheWell" in browser_page.inner_text("#like-yours")
    look(browser_page, assert_accessible, screenshot_path, "organisation")


def test_formulary_page_and_embed(trust, browser_page, assert_accessible, screenshot_path):
    assert browser_page.goto(f"/organisations/{trust.pk}/formulary/").status == 200
    assert "Cardiology only" in browser_page.inner_text("main")
    look(browser_page, assert_accessible, screenshot_path, "formulary")
    assert browser_page.goto(f"/organisations/{trust.pk}/formulary/embed/").status == 200
    look(browser_page, assert_accessible, screenshot_path, "formulary-embed")


def test_formulary_editing(trust, browser_page, assert_accessible, screenshot_path):
    member = UserFactory(username="lead@leeds.nhs.uk", email="lead@leeds.nhs.uk")
    Membership.objects.create(
        user=member,
        organisation=trust,
        email_verified_at=timezone.now(),
        organisation_verified_at=timezone.now(),
    )
    browser_page.goto("/account/sign-in/")
    browser_page.fill("#id_username", member.username)
    browser_page.fill("#id_password", PASSWORD)
    browser_page.click("main button[type=submit]")
    browser_page.goto(f"/organisations/{trust.pk}/formulary/edit/")
    look(browser_page, assert_accessible, screenshot_path, "formulary-edit")
    browser_page.fill("#id_product_name", "No such product")
    browser_page.click("text=Add product")
    assert "There is a problem" in browser_page.inner_text("main")
    look(browser_page, assert_accessible, screenshot_path, "formulary-edit-error")


def test_insight_dashboard_and_panels(trust, browser_page, assert_accessible, screenshot_path):
    assessor = AssessorFactory()
    browser_page.goto("/admin/login/")
    browser_page.fill("#id_username", assessor.username)
    browser_page.fill("#id_password", PASSWORD)
    browser_page.click("button[type=submit]")
    browser_page.goto("/admin/")
    assert "Ready to spread" in browser_page.inner_text("main")
    look(browser_page, assert_accessible, screenshot_path, "admin-home")
    for panel in PANELS:
        assert browser_page.goto(f"/admin/insight/{panel}/").status == 200
        look(browser_page, assert_accessible, screenshot_path, f"insight-{panel}")


@pytest.mark.usefixtures("long_table")
def test_a_long_table_a_page_at_a_time(browser_page, assert_accessible, screenshot_path):
    assessor = AssessorFactory()
    browser_page.goto("/admin/login/")
    browser_page.fill("#id_username", assessor.username)
    browser_page.fill("#id_password", PASSWORD)
    browser_page.click("button[type=submit]")
    browser_page.goto("/admin/insight/compliance-health/")
    browser_page.click("nav.insight-pages >> text=Next")
    # The click starts the next page loading; wait for it rather than read the old one.
    browser_page.wait_for_selector("main >> text=Rows 51 to 57 of 57")
    assert "Rows 1 to 50" not in browser_page.inner_text("main")
    look(browser_page, assert_accessible, screenshot_path, "insight-long-table")
