"""Forms for the buyer tools. Error messages follow the NHS.UK content style: say what
went wrong and how to fix it."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.forms import RegistrationForm
from registry.choices import AdoptionScale, OrganisationKind
from registry.models import Organisation
from registry.validators import normalise_code, validate_ods_code

from .models import AdoptionClaim

PEER_MESSAGE_MAX_LENGTH = 2000


class AdoptionClaimForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        error_messages={"required": "Select your organisation"},
    )
    since_month = forms.IntegerField(
        min_value=1,
        max_value=12,
        required=False,
        error_messages={"invalid": "Month must be a number from 1 to 12"},
    )
    since_year = forms.IntegerField(
        min_value=1990,
        required=False,
        error_messages={"invalid": "Year must be a number, such as 2023"},
    )
    scale = forms.ChoiceField(
        choices=AdoptionScale.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how widely you use it"},
    )

    def __init__(self, *args, organisations, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first().pk

    @property
    def since_inputs(self):
        """The boxes of the NHS.UK date input for `since`: (field, label, width in digits)."""
        return ((self["since_month"], "Month", 2), (self["since_year"], "Year", 4))

    def clean(self):
        cleaned = super().clean()
        month, year = cleaned.get("since_month"), cleaned.get("since_year")
        cleaned["since"] = None
        if month and not year:
            self.add_error("since_year", "Enter the year you started using it")
        elif year and not month:
            self.add_error("since_month", "Enter the month you started using it")
        elif month and year:
            since = datetime.date(year, month, 1)
            if since > timezone.localdate():
                self.add_error("since_year", "The date you started using it must be in the past")
            else:
                cleaned["since"] = since
        organisation = cleaned.get("organisation")
        if organisation is not None:
            if AdoptionClaim.objects.filter(
                product=self.product, organisation=organisation, status="pending"
            ).exists():
                self.add_error(
                    "organisation",
                    f"{organisation.name} has already said it uses this product. The scaling "
                    "team will check it soon.",
                )
            elif self.product.adoptions.filter(organisation=organisation, confirmed=True).exists():
                self.add_error(
                    "organisation",
                    f"{organisation.name} is already listed as using this product.",
                )
        return cleaned


class PeerMessageForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=PEER_MESSAGE_MAX_LENGTH,
        error_messages={
            "required": "Enter your message",
            "max_length": f"Your message must be {PEER_MESSAGE_MAX_LENGTH:,} characters or fewer",
        },
    )

    def clean_message(self):
        text = self.cleaned_data["message"].strip()
        if not text:
            raise forms.ValidationError("Enter your message")
        return text


class BuyerRegistrationForm(RegistrationForm):
    """An account for someone finding products to adopt: no company, and optionally the NHS
    or care organisation they work for, found by its ODS code. The scaling team confirms
    that they work there before they may speak for it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["organisation_name"]
        del self.fields["companies_house_number"]
        self.fields[
            "email"
        ].help_text = "Use your work address. We will send you a link to check it is yours."
        self.fields["ods_code"] = forms.CharField(
            label="ODS code of your organisation (optional)",
            max_length=10,
            required=False,
            help_text="The NHS Organisation Data Service code, for example RR8 for a trust.",
        )
        self.order_fields(["full_name", "email", "ods_code", "password"])

    def clean_ods_code(self):
        code = normalise_code(self.cleaned_data.get("ods_code") or "")
        if not code:
            return None
        validate_ods_code(code)
        organisation = (
            Organisation.objects.filter(ods_code=code)
            .exclude(kind=OrganisationKind.SUPPLIER)
            .first()
        )
        if organisation is None:
            raise ValidationError(
                f"No NHS or care organisation in the registry has the ODS code {code}: "
                "check the code, or leave it blank."
            )
        return organisation
