from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError

from registry.choices import OrganisationKind
from registry.models import Organisation
from registry.validators import normalise_code, validate_companies_house_number

User = get_user_model()


class RegistrationForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(
        label="Email address", help_text="We will send you a link to check it is yours."
    )
    organisation_name = forms.CharField(
        label="Company name", max_length=255, help_text="The company that makes the product."
    )
    companies_house_number = forms.CharField(
        label="Companies House number (optional)",
        max_length=10,
        required=False,
        help_text="8 digits, or 2 letters and 6 digits, for example 01234567.",
    )
    password = forms.CharField(label="Create a password", widget=forms.PasswordInput)

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.existing_organisation = None
        if not invitation and self.is_bound:
            self._offer_to_join_an_existing_company()
        if invitation:
            # A colleague joins the organisation that invited them, with the invited address.
            del self.fields["organisation_name"]
            del self.fields["companies_house_number"]
            self.fields["email"].disabled = True
            self.fields["email"].initial = invitation["email"]
            self.fields["email"].help_text = ""

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("An account with this email address already exists: sign in.")
        return email

    def _offer_to_join_an_existing_company(self):
        """A company that is already registered is joined, not registered twice: the form
        offers to ask its confirmed members (or the scaling team) to confirm the person."""
        number = normalise_code(str(self.data.get("companies_house_number") or ""))
        if not number:
            return
        existing = Organisation.objects.filter(companies_house_number=number).first()
        self.existing_organisation = existing
        if existing is not None and existing.kind == OrganisationKind.SUPPLIER:
            self.fields["join_existing"] = forms.BooleanField(
                label=f"I work for {existing.name}: ask to join it",
                required=False,
                help_text="A colleague who already uses the registry for this company, or "
                "the scaling team, will confirm you before you can see its submissions.",
            )

    def clean_companies_house_number(self):
        number = normalise_code(self.cleaned_data.get("companies_house_number") or "")
        if number:
            validate_companies_house_number(number)
        return number or None

    def clean(self):
        cleaned = super().clean()
        existing = self.existing_organisation
        if existing is not None and existing.kind != OrganisationKind.SUPPLIER:
            self.add_error(
                "companies_house_number",
                f"Companies House number {existing.companies_house_number} belongs to "
                f"{existing.name}, which is not a supplier. Check the number.",
            )
        elif existing is not None and not cleaned.get("join_existing"):
            self.add_error(
                "companies_house_number",
                f"{existing.name} is already registered with Companies House number "
                f"{existing.companies_house_number}. If you work there, select 'I work for "
                f"{existing.name}: ask to join it'. If not, check the number.",
            )
        password = cleaned.get("password")
        if password:
            candidate = User(username=cleaned.get("email", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Your colleague's email address")


class SignInForm(AuthenticationForm):
    """Sign in with the email address people registered with (it is their username)."""

    username = forms.CharField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput,
        error_messages={"required": "Enter your email address"},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter the email address and password of your account: one of "
        "them is not right.",
    }

    def clean_username(self):
        """Addresses are stored in lower case when people register."""
        username = self.cleaned_data["username"].strip()
        return username.lower() if "@" in username else username


class ChangePasswordForm(PasswordChangeForm):
    """Django's password change, with labels and errors that say what to do."""

    LABELS = {
        "old_password": ("Current password", "Enter your current password"),
        "new_password1": ("New password", "Enter a new password"),
        "new_password2": ("Confirm new password", "Enter the new password again"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, required) in self.LABELS.items():
            self.fields[name].label = label
            self.fields[name].error_messages["required"] = required
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": "Your current password is not right: enter it again.",
            "password_mismatch": "The two new passwords are different: enter the same one twice.",
        }
