"""Who a signed-in person is, for the buyer tools: NHS staff or not, and which organisations
they are a verified member of.

Membership itself is the accounts app's (accounts.Membership: the organisation a person
acts for, their verified email, and the scaling team's confirmation that they work there).
Compare, shortlist, adoption claims and peer contact ask only these functions.
"""

from accounts.models import is_nhs_email
from registry.choices import OrganisationKind
from registry.models import Organisation

__all__ = [
    "can_confirm_adoption_for",
    "is_nhs_email",
    "is_nhs_staff",
    "verified_organisation_of",
    "verified_organisations",
]


def is_nhs_staff(user):
    return bool(user and user.is_authenticated and is_nhs_email(user.email))


def verified_organisations(user):
    """The NHS and care organisations the user is a verified member of (never suppliers):
    the organisations they may confirm adoptions for."""
    if not (user and user.is_authenticated):
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(
            memberships__user=user,
            memberships__email_verified_at__isnull=False,
            memberships__organisation_verified_at__isnull=False,
        )
        .exclude(kind=OrganisationKind.SUPPLIER)
        .distinct()
        .order_by("name")
    )


def verified_organisation_of(user):
    """The user's organisation, when they are a verified member of exactly one or more
    (the first by name), else None."""
    return verified_organisations(user).first()


def can_confirm_adoption_for(user, organisation):
    return verified_organisations(user).filter(pk=organisation.pk).exists()
