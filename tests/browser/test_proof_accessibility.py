"""The pages the proof rules add or change, in a real browser, checked by axe-core against
WCAG 2.2 AA: product cards with a lapsed DTAC (listing, search, shortlist), compare with the
reason under the DTAC state, and in the admin the proof rules and the consistency report."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from ..assessments.factories import dtac_rows
from ..registry.factories import EvidenceFactory, ProductFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-enough-test-password"


@pytest.fixture
def lapsed():
    """A product whose penetration test expired yesterday, and one never assessed."""
    product = ProductFactory(title="WardWatch", processes_personal_data=False)
    EvidenceFactory(product=product)
    dtac_rows(product, expires_on=timezone.localdate() + datetime.timedelta(days=200))
    product.compliance.filter(standard__code="PENTEST").update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    other = ProductFactory(title="HomeCheck")  # on the consistency report: no evidence
    return product, other


@pytest.fixture
def editor():
    user = get_user_model().objects.create_user(
        "editor", "editor@example.nhs.uk", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_product_cards_show_a_lapsed_dtac(lapsed, browser_page, assert_accessible):
    browser_page.goto("/products/")
    card = browser_page.locator("li", has_text="WardWatch").locator(".app-proof-facts")
    assert "Lapsed" in card.inner_text()
    assert "PENTEST expired on" in card.inner_text()
    assert_accessible(browser_page)
    browser_page.goto("/search/?q=WardWatch")
    assert "Lapsed" in browser_page.locator(".app-proof-facts").first.inner_text()
    assert_accessible(browser_page)


def test_shortlist_and_compare_show_the_dtac_state(lapsed, browser_page, assert_accessible):
    product, other = lapsed
    browser_page.goto(f"/compare/?products={product.slug},{other.slug}")
    assert "PENTEST expired on" in browser_page.inner_text("main")
    assert_accessible(browser_page)
    browser_page.goto(product.url)
    browser_page.get_by_role("button", name="Add to shortlist").first.click()
    browser_page.goto("/shortlist/")
    assert "Lapsed" in browser_page.locator(".app-proof-facts").first.inner_text()
    assert_accessible(browser_page)


def test_the_admin_rules_and_consistency_report(lapsed, editor, browser_page, assert_accessible):
    browser_page.goto("/admin/login/")
    browser_page.fill("#id_username", editor.username)
    browser_page.fill("#id_password", PASSWORD)
    browser_page.click("button[type=submit]")
    browser_page.goto("/admin/proof-rules/")
    assert "When DTAC reads" in browser_page.inner_text("main")
    assert_accessible(browser_page)
    browser_page.goto("/admin/reports/proof-consistency/")
    assert "HomeCheck" in browser_page.inner_text("main")
    assert_accessible(browser_page)
