from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from registry.choices import OrganisationKind
from registry.models import Organisation

from .emails import send_templated_email
from .forms import InvitationForm, RegistrationForm
from .models import Membership, organisation_acted_for
from .tokens import (
    make_invitation_token,
    make_verification_token,
    read_invitation_token,
    read_verification_token,
)

User = get_user_model()


def posted_data(request):
    """The submitted data on POST, even when empty, so an empty form shows its errors."""
    return request.POST if request.method == "POST" else None


def send_verification(request, user):
    link = request.build_absolute_uri(
        reverse("accounts:verify", args=[make_verification_token(user)])
    )
    send_templated_email("verify_email", {"user": user, "link": link}, [user.email])


def register(request, token=None):
    invitation = None
    if token is not None:
        invitation = read_invitation_token(token)
        if invitation is None:
            return render(request, "accounts/link_expired.html", status=400)
    form = RegistrationForm(posted_data(request), invitation=invitation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            if invitation:
                organisation = Organisation.objects.get(pk=invitation["organisation"])
                email = invitation["email"]
            else:
                organisation = Organisation.objects.create(
                    name=data["organisation_name"],
                    kind=OrganisationKind.SUPPLIER,
                    companies_house_number=data["companies_house_number"],
                )
                email = data["email"]
            first, _, last = data["full_name"].strip().partition(" ")
            user = User.objects.create_user(
                username=email,
                email=email,
                password=data["password"],
                first_name=first,
                last_name=last,
                is_active=False,
            )
            Membership.objects.create(user=user, organisation=organisation)
        send_verification(request, user)
        return render(request, "accounts/check_email.html", {"email": email})
    return render(request, "accounts/register.html", {"form": form, "invitation": invitation})


def verify_email(request, token):
    data = read_verification_token(token)
    user = User.objects.filter(pk=(data or {}).get("user")).first()
    if user is None or user.email != data.get("email"):
        return render(request, "accounts/link_expired.html", status=400)
    user.is_active = True
    user.save(update_fields=["is_active"])
    Membership.objects.filter(user=user, email_verified_at__isnull=True).update(
        email_verified_at=timezone.now()
    )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    organisation = membership.organisation if membership else None
    if organisation is not None and organisation.kind == OrganisationKind.SUPPLIER:
        messages.success(request, "Your email address is confirmed and you are signed in.")
        return redirect("assessments:dashboard")
    staff = " You are shown as NHS staff." if membership and membership.is_nhs_staff else ""
    messages.success(request, f"Your email address is confirmed and you are signed in.{staff}")
    return redirect("shortlist")


@login_required
def invite(request):
    organisation = organisation_acted_for(request.user)
    if organisation is None:
        raise Http404("You do not belong to an organisation.")
    form = InvitationForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        token = make_invitation_token(organisation, email, request.user)
        link = request.build_absolute_uri(reverse("accounts:accept_invitation", args=[token]))
        send_templated_email(
            "invitation",
            {"organisation": organisation, "invited_by": request.user, "link": link},
            [email],
        )
        messages.success(request, f"We have sent an invitation to {email}.")
        return redirect("accounts:invite")
    members = User.objects.filter(membership__organisation=organisation).order_by("email")
    return render(
        request,
        "accounts/invite.html",
        {"form": form, "organisation": organisation, "members": members},
    )
