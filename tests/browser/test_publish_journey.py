"""An editor publishes an approved submission's draft with one click in the page editor, and
the innovator reads "Published" with a link to the listing (issue 13: "a plain Publish click
did nothing visible")."""

import time

import pytest
from django.contrib.auth.models import Group, User

from assessments.models import Submission
from registry.models import ProductPage

from ..accounts.factories import PASSWORD
from ..assessments.factories import InnovatorFactory, SubmissionFactory
from ..assessments.helpers import submit_and_approve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _admin_sign_in(page, username):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _wait_for_the_answer(page, seconds=30):
    """Until the editor's POST has answered: a page that is no longer "Publishing...",
    either the page listing (published) or the editor again with its messages."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.wait_for_load_state("load")
        if "/edit/" not in page.url or page.locator(".messages li").count():
            return
        time.sleep(0.3)
    raise AssertionError("The Publish click showed nothing within 30 seconds")


def test_one_publish_click_publishes_an_approved_draft(browser_page, client, screenshot_path):
    innovator = InnovatorFactory(email="ada@example.com", username="ada@example.com")
    submission = SubmissionFactory(organisation=innovator.membership.organisation)
    submit_and_approve(client, submission, innovator)
    submission.refresh_from_db()
    product = ProductPage.objects.get(pk=submission.product_id)
    assert not product.live
    editor = User.objects.create_user("editor", "editor@nhs.net", PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))

    page = browser_page
    _admin_sign_in(page, "editor")
    page.goto(f"/admin/pages/{product.pk}/edit/")
    page.screenshot(path=str(screenshot_path("publish-before")), full_page=True)
    # Publish sits in the action menu below "Save draft", as an editor finds it.
    page.locator("footer .w-dropdown__toggle").first.click()
    page.locator("button[name=action-publish]").click()
    # The draft is in the editors' workflow: Wagtail says publishing ends it (this dialog was
    # the server error behind "a plain Publish click did nothing visible").
    dialog = page.locator(".modal-dialog")
    dialog.wait_for(state="visible", timeout=15000)
    assert "Publishing this page will cancel the current workflow" in dialog.inner_text()
    dialog.get_by_role("button", name="Publish").click()
    _wait_for_the_answer(page)
    page.screenshot(path=str(screenshot_path("publish-after")), full_page=True)
    product.refresh_from_db()
    assert product.live, page.inner_text("body")[:3000]
    assert not product.has_unpublished_changes

    client.force_login(innovator)
    dashboard = client.get("/submissions/").content.decode()
    assert "Published" in dashboard and f'href="{product.url}"' in dashboard
    assert Submission.objects.get(pk=submission.pk).is_published
