"""The forms innovators and assessors fill in. A question page's form is built from its
criterion, so a new framework version needs no new code."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry.choices import DeploymentModel, DeviceClass, EsfTier, EvidenceType, PricingModel
from registry.models import Category, ProductPage

from .models import ComplianceStatus, QuestionType, Verdict
from .uploads import validate_upload

YES_NO = [("yes", "Yes"), ("no", "No")]


class DateInput(forms.MultiWidget):
    """The NHS.UK date input: day, month and year boxes, read back as an ISO date so the
    field's own validation gives the message."""

    template_name = "includes/date_input.html"

    def __init__(self, attrs=None):
        super().__init__(
            [
                forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
                forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
                forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
            ],
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        return [value.day, value.month, value.year] if value else [None, None, None]

    def value_from_datadict(self, data, files, name):
        day, month, year = super().value_from_datadict(data, files, name)
        if not (day or month or year):
            return data.get(name)  # an ISO date posted whole, as the tests and scripts do
        try:
            return datetime.date(int(year), int(month), int(day)).isoformat()
        except (TypeError, ValueError):
            return f"{day}/{month}/{year}"  # not a date: the field says so


def _blank(choices):
    return [("", "Select an option"), *choices]


class StartForm(forms.Form):
    """About the product: what a listing needs, and what decides which criteria apply."""

    product_name = forms.CharField(label="Product name", max_length=255)
    existing_product = forms.ModelChoiceField(
        label="Is this an update to a product already listed? (optional)",
        queryset=ProductPage.objects.none(),
        required=False,
        empty_label="No, it is a new product",
    )
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        widget=forms.Textarea,
        help_text="What the product does and for whom, in plain English. At most 300 characters.",
    )
    category = forms.ModelChoiceField(
        label="Category", queryset=Category.objects.all(), empty_label="Select a category"
    )
    esf_tier = forms.ChoiceField(
        label="NICE Evidence Standards Framework tier",
        choices=EsfTier.choices,
        widget=forms.RadioSelect,
        help_text="Tier C products, and medical devices, are asked for more evidence.",
    )
    device_class = forms.ChoiceField(
        label="Medical device class", choices=DeviceClass.choices, widget=forms.RadioSelect
    )
    pricing_model = forms.ChoiceField(label="Pricing model", choices=_blank(PricingModel.choices))
    deployment_model = forms.ChoiceField(
        label="How is it deployed?", choices=_blank(DeploymentModel.choices)
    )
    website = forms.URLField(label="Website (optional)", required=False, assume_scheme="https")

    REQUIRED_MESSAGES = {
        "product_name": "Enter the product's name",
        "summary": "Enter the product's summary",
        "category": "Select a category",
        "esf_tier": "Select the NICE Evidence Standards Framework tier",
        "device_class": "Select the medical device class",
        "pricing_model": "Select the pricing model",
        "deployment_model": "Select how the product is deployed",
    }

    def __init__(self, *args, organisation=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        if editing:  # whether it updates a listed product was settled when it was started
            del self.fields["existing_product"]
            return
        if organisation is not None:
            self.fields["existing_product"].queryset = ProductPage.objects.filter(
                supplier=organisation
            ).order_by("title")
        if not self.fields["existing_product"].queryset.exists():
            del self.fields["existing_product"]


def _parse_date(value, label):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"{label} must be a real date, for example 27 3 2024.") from exc


class AnswerForm(forms.Form):
    """One question page. `answer_value()` gives what is stored in Answer.value."""

    def __init__(self, *args, criterion, value=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        kind = criterion.question_type
        label, hint = criterion.question, criterion.hint
        required = criterion.mandatory
        if kind == QuestionType.YES_NO:
            field = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
        elif kind == QuestionType.TEXT:
            field = forms.CharField(widget=forms.Textarea, max_length=5000)
        elif kind == QuestionType.DATE:
            field = forms.DateField(
                widget=DateInput,
                input_formats=["%Y-%m-%d"],
                error_messages={"invalid": "The date must be a real date, for example 27 3 2024."},
            )
        elif kind == QuestionType.NUMBER:
            field = forms.DecimalField(widget=forms.NumberInput)
        elif kind == QuestionType.CHOICE:
            field = forms.ChoiceField(
                choices=[(c, c) for c in criterion.choices], widget=forms.RadioSelect
            )
        elif kind == QuestionType.MULTIPLE_CHOICE:
            field = forms.MultipleChoiceField(
                choices=[(c, c) for c in criterion.choices], widget=forms.CheckboxSelectMultiple
            )
        elif kind == QuestionType.FILE:
            field = forms.FileField(
                required=False, error_messages={"invalid": "Select a file to upload."}
            )
            required = False  # a file already uploaded answers the question
            if criterion.evidence_uploads:
                self._add_evidence_fields()
        else:  # standard status with dates
            self.fields["status"] = forms.ChoiceField(
                label=label,
                help_text=hint,
                choices=ComplianceStatus.choices,
                widget=forms.RadioSelect,
                required=required,
            )
            self.fields["status"].error_messages["required"] = self._required_message()
            self.fields["assessed_on"] = forms.CharField(
                label="Date assessed or certified",
                required=False,
                widget=DateInput,
                help_text="Required if met or partially met. For example, 27 3 2024.",
            )
            self.fields["expires_on"] = forms.CharField(
                label="Expiry date (if it expires)",
                required=False,
                widget=DateInput,
                help_text="For example, 27 3 2027.",
            )
            if value and not self.is_bound:
                self.initial.update(value)
            return
        field.label, field.help_text, field.required = label, hint, required
        field.error_messages["required"] = self._required_message()
        self.fields["value"] = field
        self.order_fields(["value"])  # the question itself is the page's heading
        if value is not None and not self.is_bound:
            self.initial["value"] = value

    def _required_message(self):
        """An error that says what to do on this question, not "This field is required"."""
        criterion = self.criterion
        kind = criterion.question_type
        if kind == QuestionType.STANDARD_STATUS:
            name = criterion.standard.name if criterion.standard else "this standard"
            return f"Select whether the product meets {name}"
        return {
            QuestionType.YES_NO: "Select yes or no",
            QuestionType.TEXT: "Enter your answer",
            QuestionType.DATE: "Enter the date",
            QuestionType.NUMBER: "Enter a number",
            QuestionType.CHOICE: "Select an answer",
            QuestionType.MULTIPLE_CHOICE: "Select at least one answer",
            QuestionType.FILE: "Select a file to upload",
        }[kind]

    def _add_evidence_fields(self):
        """What the innovator says an evidence document is: it becomes the evidence item."""
        self.fields["evidence_type"] = forms.ChoiceField(
            label="Type of evidence",
            choices=EvidenceType.choices,
            widget=forms.RadioSelect,
            required=False,
        )
        self.fields["title"] = forms.CharField(
            label="Title", max_length=255, required=False, help_text="As it was published."
        )
        self.fields["completed_on"] = forms.DateField(
            label="When was it published or completed?",
            required=False,
            input_formats=["%Y-%m-%d"],
            widget=DateInput,
            help_text="For example, 27 3 2024.",
        )
        self.fields["summary"] = forms.CharField(
            label="Summary",
            widget=forms.Textarea,
            max_length=2000,
            required=False,
            help_text="What was studied, where, with how many people, and what it found.",
        )
        self.fields["may_publish"] = forms.ChoiceField(
            label="May we publish this document on your listing?",
            choices=[("yes", "Yes, anyone may read it"), ("no", "No, only the assessors")],
            widget=forms.RadioSelect,
            required=False,
            help_text="If not, the listing names the evidence without a link to the document.",
        )

    EVIDENCE_MESSAGES = {
        "evidence_type": "Select the type of evidence",
        "title": "Enter the title of the evidence",
        "completed_on": "Enter the date it was published or completed",
        "summary": "Enter a summary of the evidence",
        "may_publish": "Select whether we may publish the document",
    }

    def evidence_details(self):
        data = self.cleaned_data
        return {
            "evidence_type": data["evidence_type"],
            "title": data["title"],
            "completed_on": data["completed_on"],
            "summary": data["summary"],
            "may_publish": data["may_publish"] == "yes",
        }

    def clean_value(self):
        value = self.cleaned_data.get("value")
        if self.criterion.question_type == QuestionType.FILE and value:
            self.content_type, self.safe_name = validate_upload(value)
        return value

    def clean(self):
        cleaned = super().clean()
        if "evidence_type" in self.fields and cleaned.get("value"):
            for name, message in self.EVIDENCE_MESSAGES.items():
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message + ".")
            day = cleaned.get("completed_on")
            if day and day > timezone.localdate():
                self.add_error("completed_on", "The date must be today or in the past.")
        if self.criterion.question_type != QuestionType.STANDARD_STATUS:
            return cleaned
        try:
            assessed = _parse_date(cleaned.get("assessed_on"), "Date assessed")
        except ValidationError as error:
            self.add_error("assessed_on", error)
            return cleaned
        try:
            expires = _parse_date(cleaned.get("expires_on"), "Expiry date")
        except ValidationError as error:
            self.add_error("expires_on", error)
            return cleaned
        status = cleaned.get("status")
        if status in (ComplianceStatus.MET, ComplianceStatus.PARTIALLY_MET) and not assessed:
            self.add_error("assessed_on", "Enter the date it was assessed or certified.")
        if assessed and assessed > timezone.localdate():
            self.add_error("assessed_on", "The date assessed must be today or in the past.")
        if assessed and expires and expires < assessed:
            self.add_error("expires_on", "The expiry date must be after the date assessed.")
        return cleaned

    def answer_value(self):
        data = self.cleaned_data
        kind = self.criterion.question_type
        if kind == QuestionType.STANDARD_STATUS:
            if not data.get("status"):
                return None
            return {
                "status": data["status"],
                "assessed_on": data.get("assessed_on") or None,
                "expires_on": data.get("expires_on") or None,
            }
        value = data.get("value")
        if kind == QuestionType.DATE and value:
            return value.isoformat()
        if kind == QuestionType.NUMBER and value is not None:
            return float(value)
        return value


class DeclarationForm(forms.Form):
    declaration = forms.BooleanField(
        label="I confirm that the information I have given is true and complete, and that I "
        "am authorised to submit it for my organisation.",
        error_messages={"required": "Confirm the declaration to send your submission."},
    )


class ReasonsForm(forms.Form):
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea, required=False)


VERDICT_CHOICES = [("", "Not reviewed"), *Verdict.choices]
