"""Standards, and each product's compliance with them.

A compliance row stores what was assessed; whether it has since expired is computed from
its expiry date every time it is read, so a lapsed certificate shows as expired
everywhere without anyone editing it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable
from wagtail.search import index


class StandardCategory(models.TextChoices):
    CLINICAL_SAFETY = "clinical_safety", "Clinical safety"
    DATA_PROTECTION = "data_protection", "Data protection"
    TECHNICAL_SECURITY = "technical_security", "Technical security"
    INTEROPERABILITY = "interoperability", "Interoperability"
    USABILITY_ACCESSIBILITY = "usability_accessibility", "Usability and accessibility"
    REGULATORY = "regulatory", "Regulatory"
    ASSESSMENT_FRAMEWORKS = "assessment_frameworks", "Assessment frameworks"


CATEGORY_ORDER = {value: position for position, value in enumerate(StandardCategory.values)}


class ComplianceStatus(models.TextChoices):
    MET = "met", "Met"
    PARTIALLY_MET = "partially_met", "Partially met"
    NOT_MET = "not_met", "Not met"
    IN_PROGRESS = "in_progress", "In progress"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


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
