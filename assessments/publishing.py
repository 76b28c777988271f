"""From an approved submission to a product page draft waiting for an editor.

Approval never publishes: it writes a draft revision of the product page carrying the
assessed compliance (and, for an update to a listed product, the details the supplier
changed), and starts the page's moderation workflow, so an editor publishes it.

It reads the submission only through the section states `services.load_state` gives it,
so it imports nothing from `services` (which calls it when an approval is signed off).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.text import slugify

from registry.models import ProductIndexPage, ProductPage

from .models import ComplianceStatus, ProductCompliance, QuestionType, Standard, SubmissionKind


def _as_date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) and value else value


def _expiry(standard, assessed_on, given=None):
    if given:
        return given
    if standard.expires and standard.validity_months and assessed_on:
        return assessed_on + relativedelta(months=standard.validity_months)
    return None


def assessed_compliance(submission, sections, assessed_on):
    """{standard: (status, assessed date, expiry)} from the approved answers (`sections`, as
    `services.load_state` reads them): one row per standard-status criterion, one per DTAC
    section reviewed met, and DTAC as a whole."""
    rows = {}
    for section in sections:
        for item in section.criteria:
            standard = item.criterion.standard
            if item.criterion.question_type != QuestionType.STANDARD_STATUS or not standard:
                continue
            value = item.value or {}
            day = _as_date(value.get("assessed_on")) or assessed_on
            expires = _expiry(standard, day, _as_date(value.get("expires_on")))
            rows[standard] = (value["status"], day, expires)
        standard = section.section.standard
        if standard:
            rows[standard] = (ComplianceStatus.MET, assessed_on, _expiry(standard, assessed_on))
    dtac_sections = {section.section.standard for section in sections if section.section.standard}
    if dtac_sections and not submission.sections_in_scope.exists():
        dtac = Standard.objects.get(code="DTAC")
        rows[dtac] = (ComplianceStatus.MET, assessed_on, _expiry(dtac, assessed_on))
    return rows


def draft_product_from(submission, sections, user):
    today = timezone.localdate()
    if submission.product_id:
        page = submission.product.specific.get_latest_revision_as_object()
        if submission.kind == SubmissionKind.UPDATE:
            # What the supplier asked to change was assessed with the rest: it goes into the
            # draft for the editor. A re-assessment copied these from the page when it
            # opened, so writing them back could undo an editor's later change.
            page.title = submission.product_name or page.title
            for name in submission.PRODUCT_DETAILS:
                setattr(page, name, getattr(submission, name))
    else:
        index = ProductIndexPage.objects.first()
        base = slugify(submission.product_name)[:70] or "product"
        slug, number = base, 1
        while ProductPage.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        page = ProductPage(
            title=submission.product_name,
            slug=slug,
            supplier=submission.organisation,
            **{name: getattr(submission, name) for name in submission.PRODUCT_DETAILS},
            live=False,
        )
        index.add_child(instance=page)
    page.last_reviewed_on = today
    rows = {row.standard_id: row for row in page.compliance.all()}
    for standard, (status, assessed_on, expires_on) in assessed_compliance(
        submission, sections, today
    ).items():
        row = rows.get(standard.pk) or ProductCompliance(standard=standard)
        row.status = status
        row.assessed_on = assessed_on
        row.expires_on = expires_on
        row.notes = f"Assessed by the scaling team (submission {submission.reference})."
        rows[standard.pk] = row
    page.compliance = list(rows.values())
    revision = page.save_revision(user=user, log_action=True)
    workflow = page.get_workflow()
    if workflow:
        workflow.start(page, user)
    return ProductPage.objects.get(pk=page.pk) if revision else page
