"""What the innovator is asked for a listing, and how typed evidence reaches it."""

import pytest

from assessments.models import Criterion, Upload
from registry.models import ProductPage

from .factories import InnovatorFactory, SubmissionFactory
from .helpers import EVIDENCE_DETAILS, pdf, question_url, submit_and_approve

pytestmark = pytest.mark.django_db


def test_about_your_product_names_each_missing_field(client):
    innovator = InnovatorFactory()
    client.force_login(innovator)
    html = client.post("/submissions/start/", {}).content.decode()
    for message in (
        "Enter the product&#x27;s name",
        "Enter the product&#x27;s summary",
        "Select a category",
        "Select the medical device class",
    ):
        assert message in html
    assert "This field is required" not in html


def test_an_evidence_upload_without_its_details_is_refused_and_nothing_stored(client):
    innovator = InnovatorFactory()
    submission = SubmissionFactory(organisation=innovator.membership.organisation)
    client.force_login(innovator)
    criterion = Criterion.objects.get(code="E2", section__framework=submission.framework)
    response = client.post(question_url(submission, criterion), {"value": pdf()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select the type of evidence" in html
    assert "Enter the date it was published or completed" in html
    assert 'class="nhsuk-date-input"' in html
    assert not Upload.objects.exists()


def test_a_private_evidence_document_is_an_item_without_a_public_link(client):
    innovator = InnovatorFactory()
    submission = SubmissionFactory(organisation=innovator.membership.organisation)
    client.force_login(innovator)
    criterion = Criterion.objects.get(code="E2", section__framework=submission.framework)
    response = client.post(
        question_url(submission, criterion),
        {"value": pdf("private.pdf"), **EVIDENCE_DETAILS, "may_publish": "no"},
    )
    assert response.status_code == 302
    submit_and_approve(client, submission, innovator)
    submission.refresh_from_db()
    draft = ProductPage.objects.get(pk=submission.product_id).get_latest_revision_as_object()
    # answer_everything uploads one more document to E2, which may be published.
    private = [item for item in draft.evidence.all() if not item.link]
    public = [item for item in draft.evidence.all() if item.link]
    assert len(private) == 1 and len(public) == 1
    assert private[0].evidence_type == "rct"


def test_an_approved_draft_passes_the_publishing_rules_and_publishes_at_once(client):
    """The editor's Publish on the draft approval wrote: no rule stops it, the typed evidence
    and the data protection answers (a named DPO, a DPIA) are there, and it goes live."""
    from django.contrib.auth.models import Group, User
    from django.contrib.messages import get_messages

    from ..proof.test_publishing import edit_form, post

    innovator = InnovatorFactory()
    submission = SubmissionFactory(organisation=innovator.membership.organisation)
    submit_and_approve(client, submission, innovator)
    submission.refresh_from_db()
    product = ProductPage.objects.get(pk=submission.product_id)
    draft = product.get_latest_revision_as_object()
    codes = {row.standard.code: row.status for row in draft.compliance.all()}
    assert codes["DPO"] == "met" and codes["DPIA"] == "met"
    editor = User.objects.create_user("ed", "ed@nhs.net", "x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)

    response = post(client, product, edit_form(client, product), "action-publish")

    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert response.status_code == 302, messages
    product.refresh_from_db()
    assert product.live and not product.has_unpublished_changes
    assert product.evidence.get().link.startswith("/documents/")
