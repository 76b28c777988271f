"""The whole journey, against the real PostgreSQL and Elasticsearch: an innovator registers
and verifies their email, submits with uploads, answers a clarification; two assessors review
and approve; an editor publishes through the moderation workflow; buyers find the product by
search with its assessed compliance."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.utils import timezone
from wagtail.models import WorkflowState

from assessments.models import (
    CriterionReview,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Upload,
    Verdict,
)
from assessments.services import load_state
from registry.models import Category, ProductPage

from ..accounts.factories import PASSWORD
from ..proof.test_publishing import edit_form, post
from ..search.asking import api_search
from ..search.indices import index_on_demand
from .factories import AssessorFactory
from .helpers import EVIDENCE_DETAILS, answer_everything, pdf, question_url

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch, pytest.mark.postgres]


@pytest.fixture
def indexed(es_client, settings):
    yield from index_on_demand(es_client, settings)


def _link_in(message):
    return re.search(r"https?://[^\s]+", message.body).group(0).split("testserver", 1)[1]


def _badges(html):
    """Every status tag on a product page, in order: the DTAC state, each standard's status,
    expired counts."""
    main = BeautifulSoup(html, "html.parser").select_one("main")
    return [tag.get_text(" ", strip=True) for tag in main.select(".nhsuk-tag")]


def _review_all(client, submission, verdicts=None, action="save"):
    """Posts the review form: every criterion met unless `verdicts` says otherwise."""
    data = {"action": action, "expected_status": Submission.objects.get(pk=submission.pk).status}
    for section in load_state(submission):
        for item in section.criteria:
            verdict, comment = (verdicts or {}).get(item.criterion.code, (Verdict.MET, ""))
            data[f"verdict-{item.criterion.pk}"] = verdict
            data[f"comment-{item.criterion.pk}"] = comment
    return client.post(f"/admin/assessments/{submission.pk}/", data, follow=True)


def test_from_registration_to_a_published_searchable_product(client, postgres, indexed):
    # Register; the account works only once the emailed link is followed.
    response = client.post(
        "/account/register/",
        {
            "full_name": "Ada Innovator",
            "email": "ada@breathe.example.com",
            "organisation_name": "Breathe Easy Ltd",
            "companies_house_number": "01234567",
            "password": PASSWORD,
        },
    )
    assert "Check your email" in response.content.decode()
    assert not client.login(username="ada@breathe.example.com", password=PASSWORD)
    response = client.get(_link_in(mail.outbox[-1]), follow=True)
    ada = User.objects.get(email="ada@breathe.example.com")
    assert ada.is_active and ada.membership.email_verified_at

    # A company new to the registry waits for the scaling team to confirm who works there.
    assert response.status_code == 403
    assert "You cannot submit products yet" in response.content.decode()
    editor = User.objects.create_user("editor", "editor@nhs.net", PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    scaling_team = Client()
    scaling_team.force_login(editor)
    assert "ada@breathe.example.com" in scaling_team.get("/admin/memberships/").content.decode()
    scaling_team.post(f"/admin/memberships/{ada.membership.pk}/", {"decision": "confirm"})
    assert "Your submissions" in client.get("/submissions/").content.decode()

    # Start a submission and answer every question, uploading files where asked.
    response = client.post(
        "/submissions/start/",
        {
            "product_name": "Breathe Easy",
            "summary": "Helps people with COPD manage breathlessness at home.",
            "category": Category.objects.order_by("pk").first().pk,
            "esf_tier": "B",
            "device_class": "none",
            "pricing_model": "subscription",
            "deployment_model": "cloud",
        },
    )
    submission = Submission.objects.get(product_name="Breathe Easy")
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert "Not started" in client.get(response["Location"]).content.decode()
    answer_everything(client, submission)
    assert Upload.objects.filter(submission=submission).count() >= 3
    task_list = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "Not started" not in task_list and "What is missing" not in task_list

    # Check answers, declare, send: a reference number and a confirmation email.
    response = client.post(
        f"/submissions/{submission.pk}/check-your-answers/", {"declaration": "on"}, follow=True
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.reference in response.content.decode()
    assert "Submission sent" in response.content.decode()
    due = f"We aim to decide by {submission.decision_due:%-d %B %Y}"
    assert submission.decision_due == timezone.localdate() + datetime.timedelta(
        days=settings.ASSESSMENT_TARGET_DAYS
    )
    assert due in response.content.decode()
    assert due in client.get("/submissions/").content.decode()
    assert submission.reference in mail.outbox[-1].subject

    # The first assessor asks about one criterion; the innovator is told.
    first, second = AssessorFactory(), AssessorFactory()
    client.force_login(first)
    queue = client.get("/admin/assessments/").content.decode()
    assert submission.reference in queue
    response = _review_all(
        client,
        submission,
        {"C1.2": (Verdict.NEEDS_CLARIFICATION, "Give the CSO's registration number.")},
        action="clarify",
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CLARIFICATION_REQUESTED
    assert "has a question" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == ["ada@breathe.example.com"]

    # The innovator can change only that criterion, then sends it back.
    client.force_login(ada)
    c12 = next(
        item.criterion
        for section in load_state(submission)
        for item in section.criteria
        if item.criterion.code == "C1.2"
    )
    page = client.get(question_url(submission, c12)).content.decode()
    assert "Give the CSO&#x27;s registration number." in page
    other = load_state(submission)[0].criteria[0].criterion
    response = client.post(question_url(submission, other), {"value": "Changed"})
    assert response.status_code == 302
    assert submission.answers.get(criterion=other).value != "Changed"
    client.post(question_url(submission, c12), {"value": "Dr Sam Safe, GMC 7654321"})
    client.post(f"/submissions/{submission.pk}/check-your-answers/", {"declaration": "on"})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert not CriterionReview.objects.filter(
        submission=submission, verdict=Verdict.NEEDS_CLARIFICATION
    ).exists()

    # Reviewed as met and proposed for approval; the reviewer cannot sign off their own review.
    client.force_login(first)
    _review_all(client, submission, action="propose")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.AWAITING_SIGN_OFF
    response = client.post(
        f"/admin/assessments/{submission.pk}/",
        {"action": "sign_off", "expected_status": "awaiting_sign_off"},
        follow=True,
    )
    assert "another assessor must sign off" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.AWAITING_SIGN_OFF

    # The second assessor signs off: a draft product page goes to the editors' workflow.
    client.force_login(second)
    client.post(
        f"/admin/assessments/{submission.pk}/",
        {"action": "sign_off", "expected_status": "awaiting_sign_off"},
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert submission.signed_off_by == second and submission.reviewed_by == first
    product = ProductPage.objects.get(pk=submission.product_id)
    assert not product.live
    state = WorkflowState.objects.get(object_id=str(product.pk), status="in_progress")
    draft = product.get_latest_revision_as_object()
    codes = {row.standard.code: row for row in draft.compliance.all()}
    assert {"DCB0129", "ICO", "DSPT", "CE", "DTAC", "DTAC_C1", "DTAC_C4"} <= set(codes)
    assert codes["ICO"].expires_on is not None  # the ICO registration lasts 12 months
    assert "has been approved" in mail.outbox[-1].subject
    # Everything a listing needs came from the journey: care settings, clinical areas, the
    # description, integrations as compliance rows, and the typed evidence as an item.
    assert [setting.name for setting in draft.care_settings.all()]
    assert {tag.name for tag in draft.clinical_areas.all()}
    assert "Our answer to L3." in str(draft.description)
    assert "FHIR_UK_CORE" in codes
    [evidence] = draft.evidence.all()
    assert (evidence.evidence_type, evidence.year) == ("rct", 2024)
    assert evidence.title == EVIDENCE_DETAILS["title"]
    assert evidence.link.startswith("/documents/")
    client.force_login(ada)
    assert "an editor will publish it" in client.get("/submissions/").content.decode()

    # An editor (the Editors group joins the moderation task) may approve the workflow task;
    # instead they preview the draft and press Publish in the page editor: one action, no
    # rule in the way, published.
    task = state.current_task_state.task.specific
    assert "approve" in [name for name, _label, _modal in task.get_actions(product, editor)]
    data = edit_form(scaling_team, product)
    preview_url = f"/admin/pages/{product.pk}/edit/preview/"
    assert scaling_team.post(preview_url, data).json()["is_valid"]
    preview = scaling_team.get(preview_url).content.decode()
    response = post(scaling_team, product, data, "action-publish")
    assert response.status_code == 302, [
        str(message) for message in get_messages(response.wsgi_request)
    ]
    product.refresh_from_db()
    assert product.live and not product.has_unpublished_changes

    # The innovator's dashboard says so, and links to the listing; the listing shows the
    # evidence item.
    client.force_login(ada)
    dashboard = client.get("/submissions/").content.decode()
    assert "Published" in dashboard and "an editor will publish it" not in dashboard
    assert f'href="{product.url}"' in dashboard
    listing = client.get(product.url).content.decode()
    assert EVIDENCE_DETAILS["title"] in listing
    assert product.compliance.filter(standard__code="DTAC_C1", status="met").exists()
    # The badges buyers read are the ones the editor's preview showed, DTAC passed among them.
    assert _badges(listing) == _badges(preview)
    assert "Passed" in _badges(listing)

    # Found by search, with its compliance.
    indexed()
    body = api_search(client, q="Breathe Easy", standard="DTAC_C1")
    assert [result["title"] for result in body["results"]] == ["Breathe Easy"]
    # The standards the answers met; the DTAC and its sections have their own badge.
    assert body["results"][0]["standards_met_count"] >= 6

    # And every step is in the history, in order.
    actions = list(
        SubmissionEvent.objects.filter(submission=submission).values_list("action", flat=True)
    )
    for expected in (
        "started",
        "file_uploaded",
        "submitted",
        "clarification_requested",
        "resubmitted",
        "approval_proposed",
        "approved",
    ):
        assert expected in actions
    assert actions.index("submitted") < actions.index("resubmitted") < actions.index("approved")


def test_upload_of_a_renamed_executable_changes_nothing(client, db):
    from .factories import InnovatorFactory, SubmissionFactory

    innovator = InnovatorFactory()
    submission = SubmissionFactory(organisation=innovator.membership.organisation)
    client.force_login(innovator)
    criterion = next(
        item.criterion
        for section in load_state(submission)
        for item in section.criteria
        if item.criterion.question_type == "file"
    )
    response = client.post(
        question_url(submission, criterion),
        {"value": pdf("report.pdf", b"MZ\x90\x00" + b"\x00" * 100)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "must be a PDF, Word document" in html
    assert not Upload.objects.exists()
