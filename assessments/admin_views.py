"""The scaling team's side, in the Wagtail admin: the queue and the review screen.

Only users with `assessments.review_submission` (the Assessors group, and superusers) reach
these views. Every decision form carries the status the assessor saw; the service refuses a
decision when the submission has moved on, so two assessors acting at once cannot both win.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from . import services
from .history import describe
from .models import WITH_ASSESSORS, SubmissionStatus, Verdict
from .models import Submission as SubmissionModel
from .refusals import refusals_return_to

REVIEW_PERMISSION = "assessments.review_submission"
QUEUE_STATUSES = [
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.IN_REVIEW,
    SubmissionStatus.CLARIFICATION_REQUESTED,
    SubmissionStatus.AWAITING_SIGN_OFF,
]


def assessors():
    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="review_submission")
            | Q(user_permissions__codename="review_submission"),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def overdue_filter():
    """With the assessors for longer than the target (days counted as `days_waiting` does)."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.ASSESSMENT_TARGET_DAYS + 1)
    return Q(status__in=WITH_ASSESSORS, submitted_at__lte=cutoff)


def queue_summary(user):
    """What the admin home tells an assessor: their own open submissions, those nobody has
    picked up, and those over the target time."""
    open_submissions = SubmissionModel.objects.filter(status__in=QUEUE_STATUSES)
    mine = open_submissions.filter(assignee=user).order_by("submitted_at", "pk")
    target = settings.ASSESSMENT_TARGET_DAYS
    return {
        "mine": [
            {
                "submission": submission,
                "days": submission.days_waiting,
                "overdue": (submission.days_waiting or 0) > target,
            }
            for submission in mine[:10]
        ],
        "mine_count": mine.count(),
        "waiting_count": open_submissions.filter(
            status__in=WITH_ASSESSORS, assignee__isnull=True
        ).count(),
        "overdue_count": SubmissionModel.objects.filter(overdue_filter()).count(),
        "target": target,
    }


@permission_required(REVIEW_PERMISSION, raise_exception=True)
def queue(request):
    submissions = (
        SubmissionModel.objects.exclude(status=SubmissionStatus.DRAFT)
        .select_related("organisation", "assignee")
        .order_by("submitted_at", "pk")
    )
    status = request.GET.get("status", "open")
    if status == "open":
        submissions = submissions.filter(status__in=QUEUE_STATUSES)
    elif status in SubmissionStatus.values:
        submissions = submissions.filter(status=status)
    overdue = request.GET.get("overdue") == "yes"
    if overdue:
        submissions = submissions.filter(overdue_filter())
    assignee = request.GET.get("assignee", "")
    if assignee == "me":
        submissions = submissions.filter(assignee=request.user)
    elif assignee == "none":
        submissions = submissions.filter(assignee__isnull=True)
    elif assignee.isdigit():
        submissions = submissions.filter(assignee_id=int(assignee))
    target = settings.ASSESSMENT_TARGET_DAYS
    rows = [
        {
            "submission": submission,
            "days": submission.days_waiting,
            "overdue": (submission.days_waiting or 0) > target,
        }
        for submission in submissions
    ]
    return render(
        request,
        "assessments/admin/queue.html",
        {
            "rows": rows,
            "target": target,
            "status": status,
            "assignee": assignee,
            "overdue": overdue,
            "statuses": SubmissionStatus.choices,
            "assessors": assessors(),
        },
    )


def _verdicts_from(request, state):
    verdicts = {}
    for section in state:
        for item in section.criteria:
            if not item.answered:  # nothing to judge: a verdict is only for an answer
                continue
            verdict = request.POST.get(f"verdict-{item.criterion.pk}", "")
            comment = request.POST.get(f"comment-{item.criterion.pk}", "")
            if verdict in Verdict.values:
                unchanged = item.review and (item.review.verdict, item.review.comment) == (
                    verdict,
                    comment.strip(),
                )
                if not unchanged:
                    verdicts[item.criterion] = (verdict, comment)
    return verdicts


def _history(submission, state):
    criteria = {
        item.criterion.code: item.criterion for section in state for item in section.criteria
    }
    rows = []
    for event in submission.events.select_related("actor"):
        what, detail = describe(event, criteria)
        actor = event.actor
        who = (actor.get_full_name() or actor.get_username()) if actor else "The registry"
        rows.append({"when": event.created_at, "who": who, "what": what, "detail": detail})
    return rows


@permission_required(REVIEW_PERMISSION, raise_exception=True)
@refusals_return_to("assessments_admin:review")
def review(request, pk):
    submission = get_object_or_404(
        SubmissionModel.objects.select_related("organisation", "framework"),
        pk=pk,
        status__in=[s for s in SubmissionStatus.values if s != SubmissionStatus.DRAFT],
    )
    state = services.load_state(submission)
    if request.method == "POST":
        action = request.POST.get("action", "")
        expected = request.POST.get("expected_status", "")
        reasons = request.POST.get("reasons", "")
        if action == "assign":
            user = get_user_model().objects.filter(pk=request.POST.get("assignee") or None).first()
            services.assign(submission, user, request.user)
            messages.success(request, "Assignee saved.")
        elif action in ("save", "clarify", "propose"):
            verdicts = _verdicts_from(request, state)
            if verdicts:
                submission = services.record_verdicts(
                    submission, request.user, verdicts, expected_status=expected
                )
                expected = submission.status
            if action == "clarify":
                services.request_clarification(submission, request.user, expected)
                messages.success(request, "The innovator has been asked for clarification.")
            elif action == "propose":
                services.propose_approval(submission, request.user, expected)
                messages.success(request, "Approval proposed: a second assessor must sign off.")
            else:
                messages.success(request, "Review saved.")
        elif action == "sign_off":
            services.sign_off(submission, request.user, expected)
            messages.success(
                request, "Approved. The product's draft is waiting for an editor to publish."
            )
        elif action == "reject":
            services.reject(submission, request.user, reasons, expected)
            messages.success(request, "Rejected. The innovator has been told why.")
        elif action == "request_changes":
            services.request_changes(submission, request.user, reasons, expected)
            messages.success(request, "Changes requested. The innovator has been told.")
        else:
            messages.error(request, "Choose an action.")
        return redirect("assessments_admin:review", submission.pk)
    return render(
        request,
        "assessments/admin/review.html",
        {
            "submission": submission,
            "sections": state,
            "verdicts": Verdict.choices,
            "history": _history(submission, state),
            "assessors": assessors(),
            "can_review": submission.status
            in (SubmissionStatus.SUBMITTED, SubmissionStatus.IN_REVIEW),
            "can_sign_off": submission.status == SubmissionStatus.AWAITING_SIGN_OFF
            and submission.reviewed_by_id != request.user.pk,
            "can_decide": submission.status in services.WITH_ASSESSORS,
            "today": timezone.localdate(),
        },
    )
