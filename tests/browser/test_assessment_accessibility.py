"""The assessment pages in a real browser, checked by axe-core against WCAG 2.2 AA: sign in,
the task list, a question page (with its error summary), check answers, and the assessor's
review screen in the Wagtail admin."""

import pytest

from assessments import services

from ..accounts.factories import PASSWORD
from ..assessments.factories import AssessorFactory, InnovatorFactory, SubmissionFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def submission():
    innovator = InnovatorFactory(email="ada@example.com", username="ada@example.com")
    submission = SubmissionFactory(organisation=innovator.membership.organisation)
    first = services.load_state(submission)[0].criteria[0].criterion
    services.save_answer(submission, first, "1 Health Street, Leeds", innovator)
    return submission


def sign_in(page, username):
    page.goto("/account/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def test_sign_in_page(browser_page, assert_accessible):
    browser_page.goto("/account/sign-in/")
    assert_accessible(browser_page)


def test_buyer_registration_with_errors(browser_page, assert_accessible):
    browser_page.goto("/account/register/buyer/")
    assert_accessible(browser_page)
    browser_page.fill("#id_ods_code", "ZZZ9")
    browser_page.click("main button[type=submit]")
    assert "No NHS or care organisation in the registry" in browser_page.inner_text("main")
    assert_accessible(browser_page)


def test_task_list(submission, browser_page, assert_accessible):
    sign_in(browser_page, "ada@example.com")
    browser_page.goto(f"/submissions/{submission.pk}/")
    assert "In progress" in browser_page.inner_text("main")
    assert_accessible(browser_page)


def test_question_page_with_errors(submission, browser_page, assert_accessible):
    sign_in(browser_page, "ada@example.com")
    browser_page.goto(f"/submissions/{submission.pk}/questions/C2.1/")
    assert_accessible(browser_page)
    browser_page.click("main button[type=submit]")
    assert "There is a problem" in browser_page.inner_text("main")
    assert_accessible(browser_page)


def test_check_answers(submission, browser_page, assert_accessible):
    sign_in(browser_page, "ada@example.com")
    browser_page.goto(f"/submissions/{submission.pk}/check-your-answers/")
    assert "1 Health Street, Leeds" in browser_page.inner_text("main")
    assert_accessible(browser_page)


def test_assessor_review_screen(submission, browser_page, assert_accessible):
    submission.status = "submitted"
    submission.reference = "REG-AXE"
    submission.save()
    assessor = AssessorFactory()
    browser_page.goto("/admin/login/")
    browser_page.fill("#id_username", assessor.username)
    browser_page.fill("#id_password", PASSWORD)
    browser_page.click("button[type=submit]")
    browser_page.goto(f"/admin/assessments/{submission.pk}/")
    assert "Save review" in browser_page.inner_text("main")
    assert_accessible(browser_page)
    browser_page.goto("/admin/assessments/")
    assert "REG-AXE" in browser_page.inner_text("main")
    assert_accessible(browser_page)


NARROW = {"width": 390, "height": 844}


def _at_both_widths(page, assert_accessible):
    assert_accessible(page)
    page.set_viewport_size(NARROW)
    assert_accessible(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"the page scrolls sideways at 390px ({width}px wide)"


def test_check_answers_with_about_your_product_at_both_widths(
    submission, browser_page, assert_accessible
):
    sign_in(browser_page, "ada@example.com")
    browser_page.goto(f"/submissions/{submission.pk}/check-your-answers/")
    assert "About your product" in browser_page.inner_text("main")
    _at_both_widths(browser_page, assert_accessible)


def test_about_your_product_with_errors_at_both_widths(submission, browser_page, assert_accessible):
    sign_in(browser_page, "ada@example.com")
    browser_page.goto(f"/submissions/{submission.pk}/about/?return=check")
    browser_page.fill("#id_summary", "")
    browser_page.click("main button[type=submit]")
    assert "Enter the product's summary" in browser_page.inner_text("main")
    _at_both_widths(browser_page, assert_accessible)


def test_evidence_upload_question_at_both_widths(submission, browser_page, assert_accessible):
    sign_in(browser_page, "ada@example.com")
    browser_page.goto(f"/submissions/{submission.pk}/questions/E2/")
    assert browser_page.locator(".nhsuk-file-upload input.nhsuk-file-upload__input").count() == 1
    _at_both_widths(browser_page, assert_accessible)


def test_account_page_and_header_account_area_at_both_widths(
    submission, browser_page, assert_accessible
):
    sign_in(browser_page, "ada@example.com")
    browser_page.goto("/account/")
    assert "Confirmed" in browser_page.inner_text("main")
    assert "Your account" in browser_page.inner_text("header")
    _at_both_widths(browser_page, assert_accessible)
    browser_page.goto("/account/password/")
    browser_page.click("main button[type=submit]")
    assert "Enter your current password" in browser_page.inner_text("main")
    _at_both_widths(browser_page, assert_accessible)


def test_assessor_home_panel_and_review_at_both_widths(submission, browser_page, assert_accessible):
    assessor = AssessorFactory()
    submission.status = "submitted"
    submission.reference = "REG-HOME"
    submission.assignee = assessor
    submission.save()
    browser_page.goto("/admin/login/")
    browser_page.fill("#id_username", assessor.username)
    browser_page.fill("#id_password", PASSWORD)
    browser_page.click("button[type=submit]")
    browser_page.goto("/admin/")
    assert "Your assessment queue" in browser_page.inner_text("main")
    assert_accessible(browser_page)
    browser_page.goto(f"/admin/assessments/{submission.pk}/")
    assert "The product" in browser_page.inner_text("main")
    assert_accessible(browser_page)
    browser_page.set_viewport_size(NARROW)
    assert_accessible(browser_page)
