"""Standards, and each product's compliance with them.

A compliance row stores what was assessed; whether it has since expired is computed from
its expiry date every time it is read, so a lapsed certificate shows as expired
everywhere without anyone editing it.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable
from wagtail.search import index

from accounts.fields import person_who_acted
from registry.choices import (
    ComplianceStatus,
    ListingField,
    QuestionType,
    StandardCategory,
    SubmissionKind,
    SubmissionStatus,
    Verdict,
)

CATEGORY_ORDER = {value: position for position, value in enumerate(StandardCategory.values)}


EXPIRED = "expired"
EXPIRED_LABEL = "Expired"


class Standard(index.Indexed, models.Model):
    """One entry in the controlled catalogue of standards, edited by the scaling team."""

    code = models.CharField(
        max_length=40, unique=True, help_text="Short code used in imports, such as DCB0129."
    )
    name = models.CharField(max_length=255)
    category = models.CharField(max_length=32, choices=StandardCategory.choices)
    issuing_body = models.CharField(max_length=255, blank=True)
    version = models.CharField(max_length=50, blank=True)
    url = models.URLField("URL", blank=True)
    description = models.TextField(blank=True, help_text="What meeting it shows, in one line.")
    expires = models.BooleanField(
        default=False, help_text="Tick if compliance lapses and must be renewed."
    )
    validity_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How long compliance usually lasts, in months, when it expires.",
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sections",
        help_text="For a section of a larger framework, such as DTAC C1 within DTAC.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Untick to retire a standard: existing rows stay visible."
    )

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("category")]),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("issuing_body"), FieldPanel("version")]),
        FieldPanel("url"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("expires"), FieldPanel("validity_months")]),
        FieldPanel("part_of"),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("is_active")]),
    ]
    search_fields = [
        index.SearchField("code"),
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.AutocompleteField("code"),
        index.FilterField("category"),
    ]

    class Meta:
        ordering = ["category", "sort_order", "code"]

    def __str__(self):
        return f"{self.code}: {self.name}"

    @property
    def category_order(self):
        return CATEGORY_ORDER.get(self.category, len(CATEGORY_ORDER))

    def clean(self):
        if self.validity_months and not self.expires:
            raise ValidationError(
                {"validity_months": "Only standards that expire have a validity period."}
            )
        if self.part_of_id and self.part_of_id == self.pk:
            raise ValidationError({"part_of": "A standard cannot be a section of itself."})


class ProductCompliance(Orderable):
    """A product's status against one standard, with the dates and evidence behind it."""

    product = ParentalKey(
        "registry.ProductPage", related_name="compliance", on_delete=models.CASCADE
    )
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="compliance")
    status = models.CharField(max_length=16, choices=ComplianceStatus.choices)
    assessed_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(
        null=True,
        blank=True,
        help_text="After this date the status shows as expired everywhere, automatically.",
    )
    evidence_url = models.URLField("evidence link", max_length=500, blank=True)
    evidence_document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(blank=True)

    panels = [
        FieldRowPanel([FieldPanel("standard"), FieldPanel("status")]),
        FieldRowPanel([FieldPanel("assessed_on"), FieldPanel("expires_on")]),
        FieldRowPanel([FieldPanel("evidence_url"), FieldPanel("evidence_document")]),
        FieldPanel("notes"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "standards compliance"
        verbose_name_plural = "standards compliance"
        constraints = [
            models.UniqueConstraint(
                fields=["product", "standard"], name="one_compliance_row_per_standard"
            )
        ]

    def __str__(self):
        return f"{self.standard.code}: {self.effective_status_label}"

    def clean(self):
        errors = {}
        if self.assessed_on and self.expires_on and self.expires_on < self.assessed_on:
            errors["expires_on"] = "The expiry date must be on or after the date assessed."
        if self.assessed_on and self.assessed_on > timezone.localdate():
            errors["assessed_on"] = "The date assessed cannot be in the future."
        if errors:
            raise ValidationError(errors)

    def is_expired_on(self, day):
        # The same test as proof.rules.is_expired_on, which every badge reads (assessments
        # sits below proof, so it cannot import it; tests/proof holds the two together).
        return self.expires_on is not None and self.expires_on < day

    @property
    def is_expired(self):
        return self.is_expired_on(timezone.localdate())

    @property
    def effective_status(self):
        """The status as the public sees it today: 'expired' once the expiry date passes."""
        return EXPIRED if self.is_expired else self.status

    @property
    def effective_status_label(self):
        return EXPIRED_LABEL if self.is_expired else self.get_status_display()


# --- The assessment framework, as data -----------------------------------------------------


class Framework(models.Model):
    """One version of the criteria products are assessed against.

    A submission points at the version it was started on; publishing a new version (a new
    row marked current) leaves submissions in flight on theirs.
    """

    name = models.CharField(max_length=255)
    version = models.CharField(max_length=20)
    is_current = models.BooleanField(
        default=False, help_text="New submissions use the current version."
    )
    published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="one_framework_version"),
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_framework",
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.version}"

    @classmethod
    def current(cls):
        return cls.objects.get(is_current=True)


class Section(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(max_length=10, help_text="As in DTAC: A, B, C1, C2, C3, C4, D.")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    standard = models.ForeignKey(
        Standard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The standard an approved section is recorded against, such as DTAC C1.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="one_section_code")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Criterion(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=20, help_text="Unique within the framework, e.g. C1.1.")
    question = models.CharField(max_length=500)
    hint = models.TextField(blank=True)
    question_type = models.CharField(max_length=20, choices=QuestionType.choices)
    choices = models.JSONField(
        default=list, blank=True, help_text="For choice questions: a list of options."
    )
    mandatory = models.BooleanField(default=True)
    applies_to_tiers = models.CharField(
        max_length=3,
        default="ABC",
        help_text="The NICE ESF tiers this criterion applies to, such as ABC or C.",
    )
    devices_only = models.BooleanField(
        default=False, help_text="Tick if it applies only to medical devices."
    )
    standard = models.ForeignKey(
        Standard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The standard an approved answer is recorded against: a standard status "
        "question's status and dates; a yes/no question is met if yes; a text question is met "
        "once answered.",
    )
    listing_field = models.CharField(
        max_length=20,
        choices=ListingField.choices,
        blank=True,
        help_text="The product page field an approved answer fills, if any.",
    )
    evidence_uploads = models.BooleanField(
        default=False,
        help_text="For file questions: each upload is an evidence item (typed, titled, dated "
        "and summarised) that becomes one on the listing when the submission is approved.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["section__sort_order", "sort_order"]
        verbose_name_plural = "criteria"

    def __str__(self):
        return f"{self.code} {self.question}"

    def applies_to(self, esf_tier, is_medical_device):
        if esf_tier and esf_tier not in self.applies_to_tiers:
            return False
        return is_medical_device or not self.devices_only


# --- Submissions, answers, reviews and their history ---------------------------------------


# What the innovator may change in each state: everything, only the criteria an assessor
# asked about, or nothing (the submission is with the scaling team, or decided).
INNOVATOR_EDITABLE = {SubmissionStatus.DRAFT, SubmissionStatus.CHANGES_REQUESTED}
INNOVATOR_ACTION_NEEDED = INNOVATOR_EDITABLE | {SubmissionStatus.CLARIFICATION_REQUESTED}
WITH_ASSESSORS = {
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.IN_REVIEW,
    SubmissionStatus.AWAITING_SIGN_OFF,
}


class PrivateStorage(FileSystemStorage):
    """Uploaded evidence lives outside MEDIA_ROOT and has no public URL: it is served only by
    the permission-checked download view."""

    def url(self, name):
        raise ValueError("Private files have no public address; use the download view.")


def private_storage():
    return PrivateStorage(location=settings.PRIVATE_MEDIA_ROOT)


def new_reference():
    return "REG-" + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))


class Submission(models.Model):
    # What a submission says about its product, under the same names as on ProductPage: a
    # re-assessment starts from the listed product's values, an approval writes them back.
    PRODUCT_DETAILS = (
        "summary",
        "category_id",
        "esf_tier",
        "device_class",
        "pricing_model",
        "deployment_model",
        "website",
    )

    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="submissions"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=SubmissionKind.choices, default="new")
    product = models.ForeignKey(
        "registry.ProductPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        help_text="The listed product this updates, or the one its approval created.",
    )
    sections_in_scope = models.ManyToManyField(
        Section,
        blank=True,
        related_name="+",
        help_text="For a re-assessment, the sections asked again. Empty means all.",
    )
    product_name = models.CharField("product name", max_length=255)
    summary = models.TextField(max_length=300, blank=True)
    category = models.ForeignKey(
        "registry.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    esf_tier = models.CharField("NICE ESF tier", max_length=1, blank=True)
    device_class = models.CharField("medical device class", max_length=8, default="none")
    pricing_model = models.CharField(max_length=16, blank=True)
    deployment_model = models.CharField(max_length=16, blank=True)
    website = models.URLField(blank=True)

    status = models.CharField(
        max_length=24, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    reference = models.CharField(max_length=12, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    assignee = person_who_acted("assigned_submissions", blank=True)
    reviewed_by = person_who_acted(blank=True, help_text="The assessor who proposed approval.")
    signed_off_by = person_who_acted(
        blank=True, help_text="The second assessor who signed the approval off."
    )
    decision_reasons = models.TextField(blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        permissions = [("review_submission", "Can review and decide submissions")]

    def __str__(self):
        return f"{self.reference or 'Draft'}: {self.product_name}"

    @property
    def is_medical_device(self):
        return self.device_class not in ("", "none")

    @property
    def innovator_can_edit(self):
        return self.status in INNOVATOR_EDITABLE

    @property
    def decision_due(self):
        """The day the scaling team aims to decide by: ASSESSMENT_TARGET_DAYS calendar days
        after the submission was first sent (the queue counts days the same way)."""
        if not self.submitted_at:
            return None
        return timezone.localdate(self.submitted_at) + datetime.timedelta(
            days=settings.ASSESSMENT_TARGET_DAYS
        )

    @property
    def is_published(self):
        """Approved and live with nothing of the approval left waiting for an editor."""
        product = self.product
        return (
            self.status == SubmissionStatus.APPROVED
            and product is not None
            and product.live
            and not product.has_unpublished_changes
        )

    @property
    def days_waiting(self):
        if not self.submitted_at or self.status not in WITH_ASSESSORS:
            return None
        return (timezone.now() - self.submitted_at).days


class Answer(models.Model):
    """The latest answer to one criterion. Every change is also written to the history."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.JSONField(null=True, blank=True)
    updated_by = person_who_acted()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "criterion"], name="one_answer")
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.value}"


class Upload(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="uploads")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="submissions/%Y/%m/", storage=private_storage)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = person_who_acted()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # For evidence uploads (Criterion.evidence_uploads): what the innovator says the document
    # is. It becomes an EvidenceItem on approval; `may_publish` decides whether the listing
    # links to a public copy. A private document is still evidence the assessors saw.
    evidence_type = models.CharField(max_length=32, blank=True)
    title = models.CharField(max_length=255, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    may_publish = models.BooleanField(default=False)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class CriterionReview(models.Model):
    """An assessor's current verdict on one criterion; earlier verdicts are in the history."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=24, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    reviewer = person_who_acted()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "criterion"], name="one_review")
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.get_verdict_display()}"


class SubmissionEvent(models.Model):
    """Append-only history: who did what to a submission, and when."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    actor = person_who_acted()
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("The history is append-only: events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The history is append-only: events cannot be deleted.")
