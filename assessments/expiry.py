"""Certificates that are about to lapse open a re-assessment of their section only.

Run daily as a task (`assessments/tasks.py`), or by hand with `manage.py check_expiry`. It
is idempotent: a section that already has an open re-assessment for the product is left
alone, so running it twice sends nothing twice.
Expiry itself needs no job: ProductCompliance computes 'expired' from the date when read.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import (
    Answer,
    Framework,
    ProductCompliance,
    Section,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from .notifications import notify_organisation
from .services import record

WARNING_DAYS = 60
CLOSED = [SubmissionStatus.APPROVED, SubmissionStatus.REJECTED]


@dataclass
class ExpiryReport:
    opened: list = field(default_factory=list)
    already_open: int = 0
    no_section: int = 0


def _section_for(framework, standard):
    return (
        Section.objects.filter(framework=framework)
        .filter(Q(standard=standard) | Q(criteria__standard=standard))
        .distinct()
        .first()
    )


def _copy_previous_answers(reassessment, section):
    previous = (
        Submission.objects.filter(
            product=reassessment.product,
            status=SubmissionStatus.APPROVED,
            framework=reassessment.framework,
        )
        .order_by("-decided_at")
        .first()
    )
    if previous is None:
        return
    for answer in previous.answers.filter(criterion__section=section):
        Answer.objects.create(
            submission=reassessment, criterion=answer.criterion, value=answer.value
        )


def check_expiry(today=None):
    today = today or timezone.localdate()
    framework = Framework.current()
    report = ExpiryReport()
    rows = (
        ProductCompliance.objects.filter(
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=WARNING_DAYS),
            product__live=True,
        )
        .select_related("standard", "product", "product__supplier")
        .order_by("expires_on", "pk")
    )
    for row in rows:
        section = _section_for(framework, row.standard)
        if section is None:
            report.no_section += 1
            continue
        product = row.product
        with transaction.atomic():
            open_already = (
                Submission.objects.select_for_update()
                .filter(
                    product=product,
                    kind=SubmissionKind.REASSESSMENT,
                    sections_in_scope=section,
                )
                .exclude(status__in=CLOSED)
                .exists()
            )
            if open_already:
                report.already_open += 1
                continue
            reassessment = Submission.objects.create(
                organisation=product.supplier,
                framework=framework,
                kind=SubmissionKind.REASSESSMENT,
                product=product,
                product_name=product.title,
                **{name: getattr(product, name) for name in Submission.PRODUCT_DETAILS},
            )
            reassessment.sections_in_scope.add(section)
            _copy_previous_answers(reassessment, section)
            record(
                reassessment,
                None,
                "reassessment_opened",
                standard=row.standard.code,
                expires_on=row.expires_on.isoformat(),
                section=section.code,
            )
        notify_organisation(
            reassessment, "reassessment_due", standard=row.standard, expires_on=row.expires_on
        )
        report.opened.append(reassessment)
    return report
