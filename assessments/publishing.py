"""From an approved submission to a product page draft waiting for an editor.

Approval never publishes: it writes a draft revision of the product page carrying the
assessed compliance (and, for an update to a listed product, the details the supplier
changed), and starts the page's moderation workflow, so an editor publishes it.

It reads the submission only through the section states `services.load_state` gives it,
so it imports nothing from `services` (which calls it when an approval is signed off).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.text import slugify
from wagtail.documents import get_document_model

from registry.models import CareSetting, EvidenceItem, ProductIndexPage, ProductPage

from .models import (
    ComplianceStatus,
    ListingField,
    ProductCompliance,
    QuestionType,
    Standard,
    StandardCategory,
    SubmissionKind,
)


def _as_date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) and value else value


def _expiry(standard, assessed_on, given=None):
    if given:
        return given
    if standard.expires and standard.validity_months and assessed_on:
        return assessed_on + relativedelta(months=standard.validity_months)
    return None


def _status_from_answer(item):
    """A yes/no or text question that stands for a standard (a DPIA done, a Data Protection
    Officer named): "no" is not met; "yes", or a name given, is met once assessors approve."""
    if item.criterion.question_type == QuestionType.YES_NO and item.value != "yes":
        return ComplianceStatus.NOT_MET
    return ComplianceStatus.MET


def assessed_compliance(submission, sections, assessed_on):
    """{standard: (status, assessed date, expiry)} from the approved answers (`sections`, as
    `services.load_state` reads them): one row per answered criterion with a standard
    (standard-status questions with their dates; yes/no and text ones met on approval), one
    per DTAC section reviewed met, and DTAC as a whole."""
    rows = {}
    for section in sections:
        for item in section.criteria:
            standard = item.criterion.standard
            if not standard or not item.answered:
                continue
            if item.criterion.question_type != QuestionType.STANDARD_STATUS:
                rows[standard] = (_status_from_answer(item), assessed_on, None)
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


def listing_answers(sections):
    """{listing field: approved answer} for the questions that fill the product page."""
    return {
        item.criterion.listing_field: item.value
        for section in sections
        for item in section.criteria
        if item.criterion.listing_field and item.value not in (None, "", [])
    }


def _integration_rows(names, assessed_on):
    """The interoperability standards the innovator said the product uses, as met."""
    standards = Standard.objects.filter(
        category=StandardCategory.INTEROPERABILITY, name__in=names or []
    )
    return dict.fromkeys(standards, (ComplianceStatus.MET, assessed_on, None))


def _fill_listing(page, answers):
    if ListingField.CARE_SETTINGS in answers:
        page.care_settings = list(
            CareSetting.objects.filter(name__in=answers[ListingField.CARE_SETTINGS])
        )
    if ListingField.CLINICAL_AREAS in answers:
        areas = [a.strip() for a in answers[ListingField.CLINICAL_AREAS].split(",") if a.strip()]
        page.clinical_areas.set(areas)
    if ListingField.DESCRIPTION in answers:
        page.description = [("text", linebreaks(escape(answers[ListingField.DESCRIPTION])))]


def evidence_items(sections):
    """One EvidenceItem per evidence upload. A document the innovator let us publish gets a
    public copy in the document library and the item links to it; a private one stays in
    private storage, and the item names it without a link."""
    items = []
    for section in sections:
        for item in section.criteria:
            if not item.criterion.evidence_uploads:
                continue
            for upload in item.uploads:
                if not upload.evidence_type:
                    continue
                link = ""
                if upload.may_publish:
                    with upload.file.open("rb") as source:
                        document = get_document_model()(title=upload.title)
                        document.file.save(upload.original_name, ContentFile(source.read()))
                    link = document.url
                items.append(
                    EvidenceItem(
                        evidence_type=upload.evidence_type,
                        title=upload.title,
                        year=upload.completed_on.year,
                        summary=upload.summary,
                        link=link,
                    )
                )
    return items


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
    answers = listing_answers(sections)
    _fill_listing(page, answers)
    new_evidence = evidence_items(sections)
    if new_evidence:
        page.evidence = [*page.evidence.all(), *new_evidence]
    rows = {row.standard_id: row for row in page.compliance.all()}
    assessed = {
        **_integration_rows(answers.get(ListingField.INTEGRATIONS), today),
        **assessed_compliance(submission, sections, today),
    }
    for standard, (status, assessed_on, expires_on) in assessed.items():
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
