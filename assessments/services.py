"""What can happen to a submission, in one place: answering, submitting, reviewing,
deciding. Views call these; each change is checked against the submission's state under a
row lock and written to the append-only history, so two people acting at once get a clear
refusal instead of overwriting each other."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .models import (
    INNOVATOR_EDITABLE,
    WITH_ASSESSORS,
    Answer,
    ComplianceStatus,
    CriterionReview,
    QuestionType,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Upload,
    Verdict,
    new_reference,
)
from .notifications import notify_organisation
from .publishing import draft_product_from


class ActionRefused(Exception):
    """A change that is not allowed now; the message is written for the person acting."""


def record(submission, actor, action, **detail):
    return SubmissionEvent.objects.create(
        submission=submission, actor=actor, action=action, detail=detail
    )


# --- Reading a submission ------------------------------------------------------------------


def sections_in_scope(submission):
    sections = submission.framework.sections.prefetch_related("criteria__standard")
    chosen = set(submission.sections_in_scope.values_list("pk", flat=True))
    return [section for section in sections if not chosen or section.pk in chosen]


def applicable_criteria(submission, section):
    return [
        criterion
        for criterion in section.criteria.all()
        if criterion.applies_to(submission.esf_tier, submission.is_medical_device)
    ]


def is_answered(criterion, answer, uploads):
    if criterion.question_type == QuestionType.FILE:
        return bool(uploads)
    value = answer.value if answer else None
    if criterion.question_type == QuestionType.STANDARD_STATUS:
        return bool(value and value.get("status"))
    return value not in (None, "", [])


@dataclass
class CriterionState:
    criterion: object
    answer: object = None
    uploads: list = field(default_factory=list)
    review: object = None

    @property
    def answered(self):
        return is_answered(self.criterion, self.answer, self.uploads)

    @property
    def value(self):
        return self.answer.value if self.answer else None

    @property
    def problem(self):
        """Why this criterion stops the submission going through, or ''."""
        if self.criterion.mandatory and not self.answered:
            return "Not answered"
        if self.review and self.review.verdict == Verdict.NEEDS_CLARIFICATION:
            return f"The assessor asked for clarification: {self.review.comment}".strip(": ")
        if self.review and self.review.verdict == Verdict.NOT_MET:
            return f"The assessor found this not met: {self.review.comment}".strip(": ")
        value = self.value
        if self.criterion.question_type == QuestionType.STANDARD_STATUS and value:
            if value.get("status") == ComplianceStatus.NOT_MET:
                return "You said this standard is not met"
            expires = value.get("expires_on")
            if expires and datetime.date.fromisoformat(expires) < timezone.localdate():
                return "The certificate has expired"
        return ""


@dataclass
class SectionState:
    section: object
    criteria: list

    @property
    def status(self):
        answered = [state for state in self.criteria if state.answered]
        if not answered:
            return "Not started"
        if all(state.answered for state in self.criteria if state.criterion.mandatory):
            return "Completed"
        return "In progress"

    @property
    def problems(self):
        return [state for state in self.criteria if state.problem]

    @property
    def first_criterion(self):
        for state in self.criteria:
            if not state.answered:
                return state.criterion
        return self.criteria[0].criterion if self.criteria else None


def load_state(submission):
    """Every section in scope with its criteria, answers, uploads and verdicts, in a fixed
    number of queries."""
    answers = {answer.criterion_id: answer for answer in submission.answers.all()}
    reviews = {review.criterion_id: review for review in submission.reviews.all()}
    uploads = {}
    for upload in submission.uploads.all():
        uploads.setdefault(upload.criterion_id, []).append(upload)
    sections = []
    for section in sections_in_scope(submission):
        criteria = [
            CriterionState(
                criterion,
                answers.get(criterion.pk),
                uploads.get(criterion.pk, []),
                reviews.get(criterion.pk),
            )
            for criterion in applicable_criteria(submission, section)
        ]
        if criteria:
            sections.append(SectionState(section, criteria))
    return sections


def missing_by_section(submission):
    return [(state.section, state.problems) for state in load_state(submission) if state.problems]


def criteria_to_clarify(submission):
    return set(
        submission.reviews.filter(verdict=Verdict.NEEDS_CLARIFICATION).values_list(
            "criterion_id", flat=True
        )
    )


def innovator_may_change(submission, criterion):
    if submission.status in INNOVATOR_EDITABLE:
        return True
    if submission.status == SubmissionStatus.CLARIFICATION_REQUESTED:
        return criterion.pk in criteria_to_clarify(submission)
    return False


# --- The innovator's side ------------------------------------------------------------------


def _locked(submission):
    return Submission.objects.select_for_update().get(pk=submission.pk)


def save_answer(submission, criterion, value, user):
    with transaction.atomic():
        locked = _locked(submission)
        if not innovator_may_change(locked, criterion):
            raise ActionRefused(
                "You cannot change this answer now: the submission is with the scaling team."
            )
        Answer.objects.update_or_create(
            submission=locked, criterion=criterion, defaults={"value": value, "updated_by": user}
        )
        record(locked, user, "answer_saved", criterion=criterion.code, value=value)
        Submission.objects.filter(pk=locked.pk).update(updated_at=timezone.now())


#: What "About your product" holds on the submission itself (the start page's answers).
ABOUT_FIELDS = (
    "product_name",
    "summary",
    "category",
    "esf_tier",
    "device_class",
    "pricing_model",
    "deployment_model",
    "website",
)


def save_about(submission, data, user):
    """Changes the answers to "About your product" while the innovator may edit the whole
    submission. The tier and device class decide which questions apply, so the task list and
    check answers follow at once; answers to questions that no longer apply are kept."""
    with transaction.atomic():
        locked = _locked(submission)
        if locked.status not in INNOVATOR_EDITABLE:
            raise ActionRefused(
                "You cannot change these answers now: the submission is with the scaling team."
            )
        changed = {}
        for name in ABOUT_FIELDS:
            if name not in data:
                continue
            before, after = getattr(locked, name), data[name]
            if before != after:
                setattr(locked, name, after)
                changed[name] = str(after) if after is not None else ""
        if changed:
            locked.save()
            record(locked, user, "about_changed", **changed)
        return locked


def add_upload(submission, criterion, uploaded_file, content_type, safe_name, user, **evidence):
    """Stores an uploaded file; for an evidence question, `evidence` carries what the
    innovator says it is (type, title, date, summary, whether it may be published)."""
    with transaction.atomic():
        locked = _locked(submission)
        if not innovator_may_change(locked, criterion):
            raise ActionRefused(
                "You cannot add files now: the submission is with the scaling team."
            )
        upload = Upload(
            submission=locked,
            criterion=criterion,
            original_name=safe_name,
            content_type=content_type,
            size=uploaded_file.size,
            uploaded_by=user,
            **evidence,
        )
        upload.file.save(safe_name, uploaded_file, save=False)
        upload.save()
        record(locked, user, "file_uploaded", criterion=criterion.code, file=safe_name)
        return upload


def submit(submission, user):
    """Send the submission (or the clarified answers) to the scaling team."""
    with transaction.atomic():
        locked = _locked(submission)
        resubmitting = locked.status == SubmissionStatus.CLARIFICATION_REQUESTED
        if locked.status not in INNOVATOR_EDITABLE and not resubmitting:
            raise ActionRefused(
                f"This submission has already been sent ({locked.reference}). "
                "You do not need to send it again."
            )
        unanswered = [
            state.criterion.code
            for section in load_state(locked)
            for state in section.criteria
            if state.criterion.mandatory and not state.answered
        ]
        if unanswered:
            raise ActionRefused(
                f"Answer every required question before you send the submission "
                f"({len(unanswered)} still to answer)."
            )
        if resubmitting:
            # The clarified criteria go back to the assessor for a fresh verdict.
            CriterionReview.objects.filter(
                submission=locked, verdict=Verdict.NEEDS_CLARIFICATION
            ).delete()
        now = timezone.now()
        locked.status = SubmissionStatus.SUBMITTED
        locked.reference = locked.reference or new_reference()
        locked.submitted_at = locked.submitted_at if resubmitting else now
        locked.declared_at = now
        locked.save()
        record(locked, user, "resubmitted" if resubmitting else "submitted")
    notify_organisation(locked, "submitted")
    return locked


# --- The scaling team's side ---------------------------------------------------------------


def _check_expected(locked, expected_status, allowed):
    if expected_status and locked.status != expected_status:
        raise ActionRefused(
            f"Someone else changed this submission while you had it open: it is now "
            f"'{locked.get_status_display()}'. Nothing you sent was saved; check it and try again."
        )
    if locked.status not in allowed:
        raise ActionRefused(
            f"This cannot be done while the submission is '{locked.get_status_display()}'."
        )


def assign(submission, assessor, by):
    with transaction.atomic():
        locked = _locked(submission)
        locked.assignee = assessor
        if locked.status == SubmissionStatus.SUBMITTED:
            locked.status = SubmissionStatus.IN_REVIEW
        locked.save()
        record(locked, by, "assigned", assignee=assessor.get_username() if assessor else None)
    return locked


def record_verdicts(submission, reviewer, verdicts, expected_status=None):
    """verdicts: {criterion: (verdict, comment)}. Empty verdicts are ignored."""
    allowed = {SubmissionStatus.SUBMITTED, SubmissionStatus.IN_REVIEW}
    with transaction.atomic():
        locked = _locked(submission)
        _check_expected(locked, expected_status, allowed)
        for criterion, (verdict, comment) in verdicts.items():
            if not verdict:
                continue
            if verdict != Verdict.MET and not comment.strip():
                raise ActionRefused(
                    f"Add a comment for {criterion.code}: say what is missing or unclear."
                )
            CriterionReview.objects.update_or_create(
                submission=locked,
                criterion=criterion,
                defaults={"verdict": verdict, "comment": comment.strip(), "reviewer": reviewer},
            )
            record(
                locked,
                reviewer,
                "verdict",
                criterion=criterion.code,
                verdict=verdict,
                comment=comment.strip(),
            )
        locked.status = SubmissionStatus.IN_REVIEW
        if locked.assignee_id is None:
            locked.assignee = reviewer
        locked.save()
    return locked


def request_clarification(submission, reviewer, expected_status=None):
    with transaction.atomic():
        locked = _locked(submission)
        _check_expected(locked, expected_status, {SubmissionStatus.IN_REVIEW})
        if not criteria_to_clarify(locked):
            raise ActionRefused(
                "Mark at least one criterion as 'needs clarification' before you ask for it."
            )
        locked.status = SubmissionStatus.CLARIFICATION_REQUESTED
        locked.save()
        record(locked, reviewer, "clarification_requested")
    notify_organisation(locked, "clarification_requested")
    return locked


def propose_approval(submission, reviewer, expected_status=None):
    with transaction.atomic():
        locked = _locked(submission)
        _check_expected(locked, expected_status, {SubmissionStatus.IN_REVIEW})
        state = load_state(locked)
        unreviewed = [
            item.criterion.code
            for section in state
            for item in section.criteria
            if item.answered and (item.review is None or item.review.verdict != Verdict.MET)
        ]
        if unreviewed or any(section.problems for section in state):
            raise ActionRefused(
                "To approve, every answered criterion must be reviewed as met and nothing "
                f"may be missing. Still open: {', '.join(unreviewed) or 'missing answers'}."
            )
        locked.status = SubmissionStatus.AWAITING_SIGN_OFF
        locked.reviewed_by = reviewer
        locked.save()
        record(locked, reviewer, "approval_proposed")
    return locked


def sign_off(submission, assessor, expected_status=None):
    """The second assessor approves: the product's draft goes to the editors' workflow."""
    with transaction.atomic():
        locked = _locked(submission)
        _check_expected(locked, expected_status, {SubmissionStatus.AWAITING_SIGN_OFF})
        if locked.reviewed_by_id == assessor.pk:
            raise ActionRefused(
                "You reviewed this submission, so another assessor must sign off the approval."
            )
        locked.status = SubmissionStatus.APPROVED
        locked.signed_off_by = assessor
        locked.decided_at = timezone.now()
        locked.product = draft_product_from(locked, load_state(locked), assessor)
        locked.save()
        record(locked, assessor, "approved", product=locked.product.pk)
    notify_organisation(locked, "approved")
    return locked


def reject(submission, assessor, reasons, expected_status=None):
    return _close(submission, assessor, reasons, expected_status, SubmissionStatus.REJECTED)


def request_changes(submission, assessor, reasons, expected_status=None):
    return _close(
        submission, assessor, reasons, expected_status, SubmissionStatus.CHANGES_REQUESTED
    )


def _close(submission, assessor, reasons, expected_status, status):
    if not reasons.strip():
        raise ActionRefused("Give your reasons: the innovator will read them.")
    with transaction.atomic():
        locked = _locked(submission)
        _check_expected(locked, expected_status, WITH_ASSESSORS)
        locked.status = status
        locked.decision_reasons = reasons.strip()
        if status == SubmissionStatus.REJECTED:
            locked.decided_at = timezone.now()
        locked.save()
        record(locked, assessor, status, reasons=reasons.strip())
    notify_organisation(locked, status)
    return locked
