"""Bad input and bad timing: each gets a clear message and leaves the data as it was."""

import datetime
import threading

import pytest
from django.db import connection

from assessments import services
from assessments.models import (
    Answer,
    Criterion,
    Framework,
    Section,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Verdict,
)

from .factories import AssessorFactory, InnovatorFactory, SubmissionFactory
from .helpers import answer_everything, question_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def innovator():
    return InnovatorFactory()


@pytest.fixture
def draft(innovator):
    return SubmissionFactory(organisation=innovator.membership.organisation, created_by=innovator)


@pytest.fixture
def ready(client, innovator, draft):
    client.force_login(innovator)
    answer_everything(client, draft)
    return draft


def _criterion(submission, code):
    return Criterion.objects.get(section__framework=submission.framework, code=code)


def test_missing_mandatory_answers_are_listed_by_section_and_block_sending(
    client, innovator, draft
):
    client.force_login(innovator)
    # Before any attempt to send, unanswered questions are not listed as failing.
    html = client.get(f"/submissions/{draft.pk}/").content.decode()
    assert "What is missing or failing" not in html and "Not answered" not in html
    response = client.post(f"/submissions/{draft.pk}/check-your-answers/", {"declaration": "on"})
    assert "Answer every required question" in response.content.decode()
    html = client.get(f"/submissions/{draft.pk}/").content.decode()
    assert "What is missing or failing" in html
    assert "C1 Clinical safety" in html and "Not answered" in html
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT and draft.reference is None


def test_the_declaration_must_be_accepted(client, ready):
    response = client.post(f"/submissions/{ready.pk}/check-your-answers/", {})
    html = response.content.decode()
    assert "There is a problem" in html and "Confirm the declaration" in html
    ready.refresh_from_db()
    assert ready.status == SubmissionStatus.DRAFT


def test_sending_twice_is_refused_clearly(client, ready):
    client.post(f"/submissions/{ready.pk}/check-your-answers/", {"declaration": "on"})
    ready.refresh_from_db()
    reference = ready.reference
    response = client.post(
        f"/submissions/{ready.pk}/check-your-answers/", {"declaration": "on"}, follow=True
    )
    assert "has already been sent" in response.content.decode()
    ready.refresh_from_db()
    assert ready.reference == reference
    assert SubmissionEvent.objects.filter(submission=ready, action="submitted").count() == 1


def test_dates_in_the_wrong_order_are_refused_inline(client, innovator, draft):
    client.force_login(innovator)
    criterion = _criterion(draft, "C2.1")
    response = client.post(
        question_url(draft, criterion),
        {"status": "met", "assessed_on": "2025-06-01", "expires_on": "2025-01-01"},
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The expiry date must be after the date assessed." in html
    assert 'class="nhsuk-error-message"' in html
    assert not Answer.objects.filter(submission=draft).exists()


def test_a_future_assessment_date_is_refused(client, innovator, draft):
    client.force_login(innovator)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        question_url(draft, _criterion(draft, "C2.1")), {"status": "met", "assessed_on": tomorrow}
    )
    assert "must be today or in the past" in response.content.decode()


def test_answers_save_as_they_go_and_are_shown_back(client, innovator, draft):
    client.force_login(innovator)
    criterion = _criterion(draft, "A1")
    client.post(question_url(draft, criterion), {"value": "1 Health Street, Leeds"})
    assert (
        Answer.objects.get(submission=draft, criterion=criterion).value == "1 Health Street, Leeds"
    )
    assert "1 Health Street, Leeds" in client.get(question_url(draft, criterion)).content.decode()
    assert "In progress" in client.get(f"/submissions/{draft.pk}/").content.decode()


def test_device_criteria_apply_only_to_devices(draft):
    codes = {i.criterion.code for s in services.load_state(draft) for i in s.criteria}
    assert "C1.4" not in codes and "E3" not in codes  # not a device; tier B
    draft.device_class, draft.esf_tier = "IIa", "C"
    codes = {i.criterion.code for s in services.load_state(draft) for i in s.criteria}
    assert {"C1.4", "C1.5", "E3"} <= codes


def test_a_new_framework_version_does_not_disturb_submissions_in_flight(draft):
    old = draft.framework
    Framework.objects.update(is_current=False)
    new = Framework.objects.create(name=old.name, version="2", is_current=True)
    Section.objects.create(framework=new, code="A", title="Company information")
    draft.refresh_from_db()
    assert draft.framework == old
    assert len(services.load_state(draft)) == old.sections.count()


@pytest.fixture
def in_review(client, ready):
    client.post(f"/submissions/{ready.pk}/check-your-answers/", {"declaration": "on"})
    ready.refresh_from_db()
    return ready


def _all_met(submission, reviewer):
    verdicts = {
        item.criterion: (Verdict.MET, "")
        for section in services.load_state(submission)
        for item in section.criteria
    }
    return services.record_verdicts(submission, reviewer, verdicts)


def test_not_met_and_clarification_need_a_comment(in_review):
    assessor = AssessorFactory()
    with pytest.raises(services.ActionRefused, match="Add a comment for A1"):
        services.record_verdicts(
            in_review, assessor, {_criterion(in_review, "A1"): (Verdict.NOT_MET, " ")}
        )
    assert not in_review.reviews.exists()


def test_clarification_needs_a_criterion_marked(in_review):
    assessor = AssessorFactory()
    _all_met(in_review, assessor)
    with pytest.raises(services.ActionRefused, match="needs clarification"):
        services.request_clarification(in_review, assessor)


def test_rejection_needs_reasons_and_tells_the_innovator(in_review, mailoutbox):
    assessor = AssessorFactory()
    with pytest.raises(services.ActionRefused, match="Give your reasons"):
        services.reject(in_review, assessor, "")
    services.reject(in_review, assessor, "No clinical safety case.")
    in_review.refresh_from_db()
    assert in_review.status == SubmissionStatus.REJECTED
    assert "No clinical safety case." in mailoutbox[-1].body


def test_changes_requested_reopens_every_answer(client, in_review):
    services.request_changes(in_review, AssessorFactory(), "Update the DSPT status.")
    html = client.get(f"/submissions/{in_review.pk}/").content.decode()
    assert "Update the DSPT status." in html and "Changes requested" in html
    criterion = _criterion(in_review, "A1")
    assert client.post(question_url(in_review, criterion), {"value": "New"}).status_code == 302
    assert Answer.objects.get(submission=in_review, criterion=criterion).value == "New"


def test_nobody_signs_off_their_own_review(in_review):
    reviewer = AssessorFactory()
    _all_met(in_review, reviewer)
    services.propose_approval(in_review, reviewer)
    with pytest.raises(services.ActionRefused, match="another assessor must sign off"):
        services.sign_off(in_review, reviewer)
    in_review.refresh_from_db()
    assert in_review.status == SubmissionStatus.AWAITING_SIGN_OFF and in_review.product is None


def test_a_decision_on_a_stale_page_is_refused(in_review):
    """Assessor B opened the page before A rejected it; B's sign-off must not win."""
    reviewer, first, second = AssessorFactory(), AssessorFactory(), AssessorFactory()
    _all_met(in_review, reviewer)
    services.propose_approval(in_review, reviewer)
    services.reject(in_review, first, "Evidence does not support the claims.", "awaiting_sign_off")
    with pytest.raises(services.ActionRefused, match="Someone else changed this submission"):
        services.sign_off(in_review, second, "awaiting_sign_off")
    in_review.refresh_from_db()
    assert in_review.status == SubmissionStatus.REJECTED and in_review.signed_off_by is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_assessors_deciding_at_once_one_wins_the_other_is_told(postgres):
    """Two threads, two database connections: the row lock makes the second wait and then
    see the first's decision."""
    innovator = InnovatorFactory()
    submission = SubmissionFactory(
        organisation=innovator.membership.organisation, status=SubmissionStatus.IN_REVIEW
    )
    first, second = AssessorFactory(), AssessorFactory()
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(name, assessor, action):
        try:
            barrier.wait()
            action(Submission.objects.get(pk=submission.pk), assessor, "Reasons.", "in_review")
            outcomes[name] = "done"
        except services.ActionRefused as refusal:
            outcomes[name] = str(refusal)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("reject", first, services.reject)),
        threading.Thread(target=decide, args=("changes", second, services.request_changes)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert list(outcomes.values()).count("done") == 1
    refused = [message for message in outcomes.values() if message != "done"]
    assert len(refused) == 1 and "Someone else changed this submission" in refused[0]
    assert (
        SubmissionEvent.objects.filter(
            submission=submission, action__in=["rejected", "changes_requested"]
        ).count()
        == 1
    )


def test_the_history_is_append_only(in_review):
    event = in_review.events.first()
    event.action = "tampered"
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        event.delete()
