"""The innovator's side of an assessment, on the public site with NHS.UK patterns: dashboard,
task list, one question per page, check answers, declaration, confirmation, and the
permission-checked file download.

Only confirmed members of a supplier organisation (accounts.models.confirmed_supplier_of)
work on submissions: someone whose membership is still a pending claim, or who belongs to an
NHS organisation, sees a page that says why and what happens next. Every view finds the
submission through `_submission_for`, which only ever looks inside the user's own confirmed
organisation: another organisation's submission is a 404, not a 403, so ids leak nothing."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import confirmed_supplier_of, membership_of
from accounts.two_factor import needs_second_factor, two_factor_redirect

from . import services
from .forms import AnswerForm, DeclarationForm, StartForm
from .models import (
    INNOVATOR_ACTION_NEEDED,
    Framework,
    QuestionType,
    Submission,
    SubmissionKind,
    SubmissionStatus,
    Upload,
)
from .refusals import refusals_return_to


def _posted(request):
    """The submitted data on POST, even when empty, so an empty form shows its errors."""
    return request.POST if request.method == "POST" else None


def _supplier_page(view):
    """A page only a confirmed member of a supplier organisation uses: the view is given that
    organisation; anyone else signed in sees why they cannot submit products yet."""

    @login_required
    @functools.wraps(view)
    def page(request, *args, **kwargs):
        organisation = confirmed_supplier_of(request.user)
        if organisation is None:
            return _not_confirmed(request)
        return view(request, organisation, *args, **kwargs)

    return page


def _not_confirmed(request):
    return render(
        request,
        "accounts/not_confirmed.html",
        {"membership": membership_of(request.user), "heading": "You cannot submit products yet"},
        status=403,
    )


def _submission_for(request, pk):
    organisation = confirmed_supplier_of(request.user)
    if organisation is None:
        raise Http404("You are not a confirmed member of a supplier organisation.")
    return get_object_or_404(
        Submission.objects.select_related("framework", "organisation"),
        pk=pk,
        organisation=organisation,
    )


@_supplier_page
def dashboard(request, organisation):
    submissions = (
        Submission.objects.filter(organisation=organisation)
        .select_related("product")
        .order_by("-updated_at")
    )
    return render(
        request,
        "assessments/dashboard.html",
        {
            "organisation": organisation,
            "submissions": submissions,
            "action_needed": INNOVATOR_ACTION_NEEDED,
        },
    )


@_supplier_page
def start(request, organisation):
    form = StartForm(_posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = data.get("existing_product")
        with transaction.atomic():
            submission = Submission.objects.create(
                organisation=organisation,
                framework=Framework.current(),
                kind=SubmissionKind.UPDATE if existing else SubmissionKind.NEW,
                product=existing,
                created_by=request.user,
                **{name: data[name] for name in services.ABOUT_FIELDS},
            )
            services.record(submission, request.user, "started")
        return redirect("assessments:task_list", submission.pk)
    return render(request, "assessments/start.html", {"form": form})


def _back_to(request, submission, otherwise):
    """Where a question page goes after saving: back to check answers when it came from a
    Change link there, else on through the questions."""
    if request.GET.get("return") == "check":
        return redirect("assessments:check_answers", submission.pk)
    return otherwise


@login_required
@refusals_return_to("assessments:task_list")
def about(request, pk):
    """Change the answers given on the start page ("About your product")."""
    submission = _submission_for(request, pk)
    if not submission.innovator_can_edit:
        messages.info(
            request,
            "You cannot change these answers now. The scaling team has your submission; "
            "we will email you if they need anything.",
        )
        return redirect("assessments:task_list", submission.pk)
    form = StartForm(
        _posted(request),
        organisation=submission.organisation,
        initial={name: getattr(submission, name) for name in services.ABOUT_FIELDS},
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        services.save_about(submission, form.cleaned_data, request.user)
        return _back_to(request, submission, redirect("assessments:task_list", submission.pk))
    return render(request, "assessments/start.html", {"form": form, "submission": submission})


@login_required
def task_list(request, pk):
    submission = _submission_for(request, pk)
    sections = services.load_state(submission)
    completed = sum(1 for section in sections if section.status == "Completed")
    return render(
        request,
        "assessments/task_list.html",
        {
            "submission": submission,
            "sections": sections,
            "completed": completed,
            "missing": _missing(request, submission, sections),
            "to_clarify": services.criteria_to_clarify(submission),
        },
    )


def _attempted_key(submission):
    return f"assessments:send_attempted:{submission.pk}"


def _missing(request, submission, sections):
    """What stops the submission going through. A draft nobody has tried to send yet is not
    failing: questions not yet answered are listed only after a first attempt to send it;
    anything else (an expired certificate, a standard answered "not met") shows at once."""
    attempted = submission.status != SubmissionStatus.DRAFT or request.session.get(
        _attempted_key(submission)
    )
    missing = []
    for state in sections:
        problems = [item for item in state.problems if attempted or item.problem != "Not answered"]
        if problems:
            missing.append((state.section, problems))
    return missing


def _criterion_or_404(submission, code):
    for section in services.load_state(submission):
        for position, state in enumerate(section.criteria):
            if state.criterion.code == code:
                following = section.criteria[position + 1 :]
                return section, state, (following[0].criterion if following else None)
    raise Http404("No such question in this submission.")


@login_required
@refusals_return_to("assessments:task_list")
def question(request, pk, code):
    submission = _submission_for(request, pk)
    section, state, next_criterion = _criterion_or_404(submission, code)
    criterion = state.criterion
    if not services.innovator_may_change(submission, criterion):
        messages.info(
            request,
            "You cannot change this answer now. The scaling team has your submission; "
            "we will email you if they need anything.",
        )
        return redirect("assessments:task_list", submission.pk)
    form = AnswerForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        criterion=criterion,
        value=state.value,
    )
    if request.method == "POST" and form.is_valid():
        if criterion.question_type == QuestionType.FILE:
            upload = form.cleaned_data.get("value")
            if upload:
                services.add_upload(
                    submission,
                    criterion,
                    upload,
                    form.content_type,
                    form.safe_name,
                    request.user,
                    **(form.evidence_details() if criterion.evidence_uploads else {}),
                )
                messages.success(request, f"{form.safe_name} has been uploaded.")
                again = redirect("assessments:question", submission.pk, criterion.code)
                if request.GET.get("return") == "check":  # still on the way back there
                    again["Location"] += "?return=check"
                return again
            if criterion.mandatory and not state.uploads:
                form.add_error("value", "Select a file to upload.")
        else:
            services.save_answer(submission, criterion, form.answer_value(), request.user)
        if not form.errors:
            if next_criterion is not None:
                onward = redirect("assessments:question", submission.pk, next_criterion.code)
            else:
                onward = redirect("assessments:task_list", submission.pk)
            return _back_to(request, submission, onward)
    return render(
        request,
        "assessments/question.html",
        {
            "submission": submission,
            "section": section.section,
            "state": state,
            "criterion": criterion,
            "form": form,
        },
    )


@login_required
def check_answers(request, pk):
    submission = _submission_for(request, pk)
    sections = services.load_state(submission)
    can_send = submission.status in INNOVATOR_ACTION_NEEDED
    form = DeclarationForm(_posted(request))
    if request.method == "POST":
        if not can_send:
            messages.error(
                request,
                f"This submission has already been sent ({submission.reference}). "
                "You do not need to send it again.",
            )
            return redirect("assessments:task_list", submission.pk)
        request.session[_attempted_key(submission)] = True
        if form.is_valid():
            try:
                services.submit(submission, request.user)
            except services.ActionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                return redirect("assessments:confirmation", submission.pk)
    return render(
        request,
        "assessments/check_answers.html",
        {
            "submission": submission,
            "sections": sections,
            "form": form,
            "can_send": can_send,
            "missing": _missing(request, submission, sections),
            "to_clarify": services.criteria_to_clarify(submission),
        },
    )


@login_required
def confirmation(request, pk):
    submission = _submission_for(request, pk)
    if submission.reference is None:
        return redirect("assessments:task_list", submission.pk)
    return render(request, "assessments/confirmation.html", {"submission": submission})


@login_required
def download(request, pk, upload_pk):
    """Serves an uploaded file to its organisation, or to the scaling team (who have given
    their second factor, where that is required)."""
    if request.user.has_perm("assessments.review_submission"):
        if needs_second_factor(request.user):
            return two_factor_redirect(request)
        submission = get_object_or_404(Submission, pk=pk)
    else:
        submission = _submission_for(request, pk)
    upload = get_object_or_404(Upload, pk=upload_pk, submission=submission)
    response = FileResponse(
        upload.file.open("rb"),
        as_attachment=True,
        filename=upload.original_name,
        content_type=upload.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
