"""What an assessor reads in the Wagtail admin: the history in words, the product summary on
the review screen, verdicts only where there is an answer to judge, nothing fetched from
other sites, and their own queue on the admin home."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.utils import timezone

from assessments import services
from assessments.models import CriterionReview, SubmissionStatus, Verdict
from registry.models import Category

from .factories import AssessorFactory, InnovatorFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(client):
    innovator = InnovatorFactory(first_name="Ada", last_name="Innovator")
    submission = SubmissionFactory(
        organisation=innovator.membership.organisation,
        summary="Helps people with COPD manage breathlessness at home.",
        category=Category.objects.order_by("pk").first(),
        esf_tier="B",
        pricing_model="subscription",
        deployment_model="cloud",
    )
    services.record(submission, innovator, "started")
    state = services.load_state(submission)
    answered = state[0].criteria[0].criterion
    standard = next(
        item.criterion
        for section in state
        for item in section.criteria
        if item.criterion.question_type == "standard_status"
    )
    services.save_answer(submission, answered, "1 Health Street, Leeds", innovator)
    services.save_answer(
        submission, standard, {"status": "met", "assessed_on": "2025-03-04"}, innovator
    )
    submission.status = SubmissionStatus.SUBMITTED
    submission.reference = "REG-WORDS"
    submission.submitted_at = timezone.now()
    submission.save()
    services.record(submission, innovator, "submitted")
    assessor = AssessorFactory(first_name="Sam", last_name="Assessor")
    client.force_login(assessor)
    return submission, answered, standard, assessor


def _review_page(client, submission):
    return BeautifulSoup(client.get(f"/admin/assessments/{submission.pk}/").content, "html.parser")


def test_the_history_reads_as_sentences_with_no_codes_or_raw_data(client, sent):
    submission, answered, standard, assessor = sent
    services.record_verdicts(
        submission, assessor, {answered: (Verdict.NEEDS_CLARIFICATION, "Which floor?")}
    )
    page = _review_page(client, submission)
    history = page.find("h2", string="History").find_next("table")
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in history.select("tbody tr")
    ]
    whats = [row[2] for row in rows]
    assert "Started the submission" in whats and "Sent the submission" in whats
    assert f"Answered {standard.code}" in whats
    assert ["Ada Innovator", f"Answered {standard.code}", "Met, assessed 4 March 2025"] == next(
        row[1:] for row in rows if row[2] == f"Answered {standard.code}"
    )
    assert ["Sam Assessor", f"Needs clarification: {answered.code}", "Which floor?"] in [
        row[1:] for row in rows
    ]
    text = history.get_text()
    for internal in ("answer_saved", "submitted", "{", "'status'", "needs_clarification"):
        assert internal not in text


def test_the_review_screen_shows_the_product_summary(client, sent):
    submission, *_ = sent
    page = _review_page(client, submission)
    summary = page.select_one("dl.app-review-summary")
    pairs = dict(
        zip(
            [dt.get_text(strip=True) for dt in summary.select("dt")],
            [dd.get_text(strip=True) for dd in summary.select("dd")],
            strict=True,
        )
    )
    assert pairs["Summary"] == submission.summary
    assert pairs["Category"] == submission.category.name
    assert pairs["NICE Evidence Standards Framework tier"].startswith("Tier B")
    assert pairs["Pricing model"] == "Annual subscription"
    assert pairs["Website"] == "Not answered"


def test_verdicts_are_offered_only_for_answered_questions(client, sent):
    submission, answered, standard, _assessor = sent
    page = _review_page(client, submission)
    offered = {radio["name"] for radio in page.select("input[type=radio]")}
    assert offered == {f"verdict-{answered.pk}", f"verdict-{standard.pk}"}
    assert "Not answered: nothing to review." in page.get_text()
    for radio in page.select("input[type=radio]"):
        assert page.select_one(f"label[for={radio['id']}]") is not None
    # A verdict posted for a question with no answer is ignored.
    unanswered = next(
        item.criterion
        for section in services.load_state(submission)
        for item in section.criteria
        if not item.answered
    )
    client.post(
        f"/admin/assessments/{submission.pk}/",
        {
            "action": "save",
            "expected_status": "submitted",
            f"verdict-{unanswered.pk}": "met",
            f"verdict-{answered.pk}": "met",
        },
    )
    reviewed = set(
        CriterionReview.objects.filter(submission=submission).values_list("criterion", flat=True)
    )
    assert reviewed == {answered.pk}


def test_no_avatar_is_fetched_from_another_site(client, sent):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    page = _review_page(client, sent[0])
    for image in page.select("img"):
        assert not image["src"].startswith(("http://", "https://", "//")), image["src"]


def test_the_admin_home_shows_the_assessors_own_queue(client, sent):
    submission, _answered, _standard, assessor = sent
    submission.assignee = assessor
    submission.save()
    SubmissionFactory(
        reference="REG-LATE",
        status=SubmissionStatus.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=settings.ASSESSMENT_TARGET_DAYS + 3),
    )
    SubmissionFactory(reference="REG-DONE", status=SubmissionStatus.APPROVED, assignee=assessor)
    page = BeautifulSoup(client.get("/admin/").content, "html.parser")
    panel = page.select_one("section[aria-labelledby=assessor-queue-heading]")
    assert panel is not None
    counts = {a.get_text(" ", strip=True): a["href"] for a in panel.select("ul a")}
    assert counts == {
        "1 assigned to you": "/admin/assessments/?assignee=me",
        "1 waiting for an assessor": "/admin/assessments/?assignee=none",
        f"1 over the {settings.ASSESSMENT_TARGET_DAYS}-day target": (
            "/admin/assessments/?overdue=yes"
        ),
    }
    assert "REG-WORDS" in panel.get_text() and "REG-DONE" not in panel.get_text()
    overdue = client.get("/admin/assessments/", {"overdue": "yes"}).content.decode()
    assert "REG-LATE" in overdue and "REG-WORDS" not in overdue


def test_people_who_do_not_assess_get_no_queue_on_the_admin_home(client, sent):
    from django.contrib.auth.models import Group, User

    editor = User.objects.create_user("ed", "ed@nhs.net", "x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    page = BeautifulSoup(client.get("/admin/").content, "html.parser")
    assert page.select_one("section[aria-labelledby=assessor-queue-heading]") is None
