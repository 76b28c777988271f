"""Confirming or declining a claim to work for an organisation, by a confirmed member of a
supplier or by the scaling team, and asking them to.

Each decision is written to Wagtail's audit log (`accounts.membership.confirm` and
`accounts.membership.decline`, shown in the admin's reports), with who decided. A declined
claim leaves the person's account but no organisation: they may ask again or be invited.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from registry.choices import OrganisationKind

from .emails import send_templated_email
from .models import Membership, confirmed_memberships, pending_memberships

CONFIRM_ACTION = "accounts.membership.confirm"
DECLINE_ACTION = "accounts.membership.decline"


def requests_for(user, organisation):
    """Pending claims the user may decide as a member: those to their own supplier
    organisation. NHS and care organisations' members are confirmed by the scaling team."""
    if organisation is None or organisation.kind != OrganisationKind.SUPPLIER:
        return Membership.objects.none()
    return (
        pending_memberships()
        .filter(organisation=organisation)
        .exclude(user=user)
        .select_related("user", "organisation")
        .order_by("created_at")
    )


def _locked(membership):
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organisation")
        .get(pk=membership.pk)
    )


def confirm(membership, decided_by):
    with transaction.atomic():
        membership = _locked(membership)
        if membership.organisation_verified_at is None:
            membership.organisation_verified_at = timezone.now()
            membership.save(update_fields=["organisation_verified_at"])
            log(
                membership,
                CONFIRM_ACTION,
                user=decided_by,
                data={"organisation": membership.organisation.name},
            )
    return membership


def decline(membership, decided_by):
    with transaction.atomic():
        membership = _locked(membership)
        if membership.organisation_verified_at is None and membership.organisation:
            log(
                membership,
                DECLINE_ACTION,
                user=decided_by,
                data={"organisation": membership.organisation.name},
            )
            membership.organisation = None
            membership.save(update_fields=["organisation"])
    return membership


def ask_members_to_confirm(request, membership):
    """Emails the organisation's confirmed members about a new claim to join a supplier.
    With no confirmed members (a company new to the registry) or for an NHS organisation,
    the claim waits in the scaling team's list of pending memberships."""
    organisation = membership.organisation
    if organisation is None or organisation.kind != OrganisationKind.SUPPLIER:
        return 0
    members = confirmed_memberships().filter(organisation=organisation).exclude(pk=membership.pk)
    addresses = list(members.values_list("user__email", flat=True))
    link = request.build_absolute_uri(reverse("accounts:invite"))
    context = {"person": membership.user, "organisation": organisation, "link": link}
    return sum(send_templated_email("join_request", context, [email]) for email in addresses)
