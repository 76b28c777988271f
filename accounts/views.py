"""Registration, email verification, invitations and the confirmation of members.

Who may act for an organisation is decided here and in `accounts.models`: registering a new
company, joining one that is already registered, or giving an ODS code makes a pending
claim; a confirmed member's invitation, a confirmed member's approval or the scaling team
confirms it."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.views.decorators.http import require_POST

from registry.choices import OrganisationKind
from registry.models import Organisation

from . import membership_decisions
from .emails import send_templated_email
from .forms import InvitationForm, RegistrationForm
from .models import Membership, confirmed_memberships, confirmed_organisation_of, membership_of
from .throttling import posted_email, rate_limited
from .tokens import email_verification_token, make_invitation_token, read_invitation_token
from .two_factor import has_admin_access

User = get_user_model()


def posted_data(request):
    """The submitted data on POST, even when empty, so an empty form shows its errors."""
    return request.POST if request.method == "POST" else None


def send_verification(request, user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    link = request.build_absolute_uri(reverse("accounts:verify", args=[uid, token]))
    send_templated_email("verify_email", {"user": user, "link": link}, [user.email])


def _create_person(data, email):
    first, _, last = data["full_name"].strip().partition(" ")
    return User.objects.create_user(
        username=email,
        email=email,
        password=data["password"],
        first_name=first,
        last_name=last,
        is_active=False,
    )


def _valid_invitation(token):
    """The invitation's payload while its sender is still a confirmed member of the
    organisation they invited to, else None."""
    invitation = read_invitation_token(token)
    if invitation is None:
        return None
    still_member = confirmed_memberships().filter(
        user_id=invitation.get("by"), organisation_id=invitation.get("organisation")
    )
    return invitation if still_member.exists() else None


@rate_limited("registration", account=posted_email)
def register(request, token=None):
    invitation = None
    if token is not None:
        invitation = _valid_invitation(token)
        if invitation is None:
            return render(request, "accounts/link_expired.html", status=400)
    form = RegistrationForm(posted_data(request), invitation=invitation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        confirmed_at = None
        try:
            with transaction.atomic():
                if invitation:
                    organisation = Organisation.objects.get(pk=invitation["organisation"])
                    email = invitation["email"]
                    # A confirmed member vouched for this address; NHS organisations'
                    # members are still confirmed by the scaling team.
                    if organisation.kind == OrganisationKind.SUPPLIER:
                        confirmed_at = timezone.now()
                elif form.existing_organisation is not None:
                    organisation = form.existing_organisation
                    email = data["email"]
                else:
                    organisation = Organisation.objects.create(
                        name=data["organisation_name"],
                        kind=OrganisationKind.SUPPLIER,
                        companies_house_number=data["companies_house_number"],
                    )
                    email = data["email"]
                user = _create_person(data, email)
                Membership.objects.create(
                    user=user, organisation=organisation, organisation_verified_at=confirmed_at
                )
        except IntegrityError:
            # Someone registered the same company or address a moment ago.
            form.add_error(
                None,
                "That company or email address was registered a moment ago. "
                "Check the details and try again.",
            )
        else:
            send_verification(request, user)
            joining = organisation if form.existing_organisation is not None else None
            return render(
                request, "accounts/check_email.html", {"email": email, "joining": joining}
            )
    return render(request, "accounts/register.html", {"form": form, "invitation": invitation})


def verify_email(request, uidb64, token):
    """Confirms an address once. A used link, an old one, or one for an account the
    scaling team has deactivated is refused and signs nobody in."""
    try:
        user = User.objects.select_related("membership").get(
            pk=force_str(urlsafe_base64_decode(uidb64))
        )
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    membership = getattr(user, "membership", None) if user else None
    if (
        user is None
        or membership is None
        or membership.email_verified_at is not None
        or not email_verification_token.check_token(user, token)
    ):
        return render(request, "accounts/link_expired.html", status=400)
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        membership.email_verified_at = timezone.now()
        membership.save(update_fields=["email_verified_at"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if membership.is_pending:
        membership_decisions.ask_members_to_confirm(request, membership)
    organisation = membership.organisation
    if organisation is not None and organisation.kind == OrganisationKind.SUPPLIER:
        messages.success(request, "Your email address is confirmed and you are signed in.")
        return redirect("assessments:dashboard")
    staff = " You are shown as NHS staff." if membership.is_nhs_staff else ""
    messages.success(request, f"Your email address is confirmed and you are signed in.{staff}")
    return redirect("shortlist")


@login_required
@rate_limited("invitation")
def invite(request):
    organisation = confirmed_organisation_of(request.user)
    if organisation is None:
        return render(
            request,
            "accounts/not_confirmed.html",
            {"membership": membership_of(request.user), "heading": "You cannot invite people yet"},
            status=403,
        )
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
    members = User.objects.filter(
        membership__in=confirmed_memberships().filter(organisation=organisation)
    ).order_by("email")
    return render(
        request,
        "accounts/invite.html",
        {
            "form": form,
            "organisation": organisation,
            "members": members,
            "requests": membership_decisions.requests_for(request.user, organisation),
        },
    )


@login_required
@require_POST
def decide_membership(request, pk):
    """A confirmed member of a supplier confirms or declines a request to join it."""
    organisation = confirmed_organisation_of(request.user)
    if organisation is None:
        raise Http404("You are not a confirmed member of an organisation.")
    membership = get_object_or_404(
        membership_decisions.requests_for(request.user, organisation), pk=pk
    )
    decision = request.POST.get("decision")
    if decision == "confirm":
        membership_decisions.confirm(membership, request.user)
        messages.success(request, f"{membership.user.email} can now work on your submissions.")
    elif decision == "decline":
        email = membership.user.email
        membership_decisions.decline(membership, request.user)
        messages.success(request, f"{email} has not been added to {organisation.name}.")
    else:
        messages.error(request, "Choose whether to confirm or decline.")
    return redirect("accounts:invite")


@login_required
def account(request):
    """Who the signed-in person is, the organisation they act for and whether the registry
    has confirmed it, and the places that belong to them."""
    membership = membership_of(request.user)
    organisation = membership.organisation if membership else None
    return render(
        request,
        "accounts/account.html",
        {
            "membership": membership,
            "organisation": organisation,
            "is_supplier": organisation is not None
            and organisation.kind == OrganisationKind.SUPPLIER,
            "has_admin_access": has_admin_access(request.user),
        },
    )
