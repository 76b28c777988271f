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
