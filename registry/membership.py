"""Who a signed-in person is, for the buyer tools: NHS staff or not, and which organisations
they are a verified member of.

This is the one seam between the buyer tools and accounts. Compare, shortlist, adoption
claims and peer contact ask only these functions; when the accounts app owns email
verification and organisation membership, only the bodies below change.
"""

from .choices import OrganisationKind

NHS_EMAIL_DOMAINS = ("nhs.net", "nhs.uk")


def is_nhs_email(email):
    """True for addresses at nhs.net, nhs.uk or any subdomain of nhs.uk (such as
    nhs.uk trusts' own domains, e.g. example.nhs.uk). Case and spaces do not matter."""
    if not email or "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1].strip().lower().rstrip(".")
    return domain in NHS_EMAIL_DOMAINS or domain.endswith(".nhs.uk")


def is_nhs_staff(user):
    return bool(user and user.is_authenticated and is_nhs_email(user.email))


def verified_organisations(user):
    """The NHS and care organisations the user is a verified member of (never suppliers):
    the organisations they may confirm adoptions for."""
    from .models import Organisation

    if not (user and user.is_authenticated):
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(members__user=user, members__verified_at__isnull=False)
        .exclude(kind=OrganisationKind.SUPPLIER)
        .distinct()
        .order_by("name")
    )


def organisation_of(user):
    """The user's organisation, when they are a verified member of exactly one or more
    (the first by name), else None."""
    return verified_organisations(user).first()


def can_confirm_adoption_for(user, organisation):
    return verified_organisations(user).filter(pk=organisation.pk).exists()
