"""The scaling team's queue, and what approval does to a product already listed."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone
from wagtail.models import WorkflowState

from assessments.models import Standard, SubmissionStatus, Upload

from ..registry.factories import ProductFactory
from .factories import AssessorFactory, ComplianceFactory, InnovatorFactory, SubmissionFactory
from .helpers import answer_everything, submit_and_approve

pytestmark = pytest.mark.django_db


def test_the_queue_shows_days_waiting_against_the_target_and_filters(client):
    assessor, other = AssessorFactory(), AssessorFactory()
    late = SubmissionFactory(
        reference="REG-LATE",
        status=SubmissionStatus.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=settings.ASSESSMENT_TARGET_DAYS + 5),
    )
    SubmissionFactory(
        reference="REG-MINE",
        status=SubmissionStatus.IN_REVIEW,
        submitted_at=timezone.now() - datetime.timedelta(days=2),
        assignee=assessor,
    )
    SubmissionFactory(reference="REG-DONE", status=SubmissionStatus.APPROVED)
    SubmissionFactory(product_name="Still a draft")
    client.force_login(assessor)
    html = client.get("/admin/assessments/").content.decode()
    assert "REG-LATE" in html and "REG-MINE" in html
    assert "REG-DONE" not in html and "Still a draft" not in html
    assert f"{late.days_waiting} <strong>(over target)</strong>" in html
    mine = client.get("/admin/assessments/", {"assignee": "me"}).content.decode()
    assert "REG-MINE" in mine and "REG-LATE" not in mine
    assert "REG-LATE" in client.get("/admin/assessments/", {"assignee": "none"}).content.decode()
    done = client.get("/admin/assessments/", {"status": "approved"}).content.decode()
    assert "REG-DONE" in done and "REG-LATE" not in done
    client.force_login(other)
    client.post(f"/admin/assessments/{late.pk}/", {"action": "assign", "assignee": other.pk})
    late.refresh_from_db()
    assert late.assignee == other and late.status == SubmissionStatus.IN_REVIEW


def test_uploads_are_stored_outside_the_public_media_folder(client):
    innovator = InnovatorFactory()
    submission = SubmissionFactory(organisation=innovator.membership.organisation)
    client.force_login(innovator)
    answer_everything(client, submission)
    upload = Upload.objects.first()
    assert str(settings.PRIVATE_MEDIA_ROOT) in upload.file.path
    assert str(settings.MEDIA_ROOT) not in upload.file.path
    with pytest.raises(ValueError):
        upload.file.url  # noqa: B018 - no public address exists


def test_approving_an_update_drafts_a_revision_and_leaves_the_live_page_alone(client):
    innovator = InnovatorFactory()
    supplier = innovator.membership.organisation
    product = ProductFactory(title="Breathe Easy", supplier=supplier)
    ComplianceFactory(product=product, standard=Standard.objects.get(code="CQC"))
    ComplianceFactory(
        product=product, standard=Standard.objects.get(code="CE"), status="in_progress"
    )
    submission = SubmissionFactory(
        organisation=supplier,
        product=product,
        kind="update",
        product_name="Breathe Easy Plus",
        summary="Now with a clinician dashboard for COPD teams.",
        esf_tier="C",
        pricing_model="per_user",
    )
    submit_and_approve(client, submission, innovator)

    product.refresh_from_db()
    assert product.live
    assert product.title == "Breathe Easy"  # nothing changes until an editor publishes
    assert set(product.compliance.values_list("standard__code", "status")) == {
        ("CQC", "met"),
        ("CE", "in_progress"),
    }
    draft = product.get_latest_revision_as_object()
    # The details the supplier changed were assessed with the rest and reach the draft.
    assert draft.title == "Breathe Easy Plus"
    assert draft.summary == "Now with a clinician dashboard for COPD teams."
    assert (draft.esf_tier, draft.pricing_model) == ("C", "per_user")
    rows = {row.standard.code: row for row in draft.compliance.all()}
    assert rows["CE"].status == "met"  # the assessed answer replaces the old row
    assert rows["CQC"].status == "met"  # rows the framework does not ask about stay
    assert rows["DTAC"].expires_on == timezone.localdate() + relativedelta(months=12)
    assert WorkflowState.objects.filter(object_id=str(product.pk), status="in_progress").exists()
