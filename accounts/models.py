"""Who a person is in the registry: Django's own user, plus the organisation they act for.

Innovators belong to a supplier organisation; buyers may belong to an NHS organisation or
to none. Whether someone is NHS staff is derived from their email address, never stored.

Saying which organisation you work for grants nothing by itself. Rights come only from a
*confirmed* membership (`organisation_verified_at` set): a supplier's member is confirmed by
an invitation from a confirmed member, by a confirmed member approving their request to
join, or by the scaling team; a member of an NHS or care organisation only by the scaling
team. Until then the membership is a pending claim, and `confirmed_organisation_of` and
`confirmed_supplier_of` answer None.
"""

from django.conf import settings
from django.db import models

NHS_EMAIL_DOMAINS = ("nhs.net", "nhs.uk")


def is_nhs_email(email):
    """True for addresses at nhs.net, nhs.uk or any subdomain of nhs.uk (such as a trust's
    own leedsth.nhs.uk). Case and spaces do not matter; text without an @ is no address."""
    if not email or "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1].strip().lower().rstrip(".")
    return domain in NHS_EMAIL_DOMAINS or domain.endswith(".nhs.uk")


class Membership(models.Model):
    """Links a user to the organisation they act for, and records that their email works."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    organisation_verified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the scaling team confirmed the person works at this organisation. "
        "Only confirmed members of an NHS or care organisation may record adoptions for it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user} at {self.organisation or 'no organisation'}"

    @property
    def is_nhs_staff(self):
        return is_nhs_email(self.user.email)

    @property
    def is_confirmed(self):
        return (
            self.organisation_id is not None
            and self.email_verified_at is not None
            and self.organisation_verified_at is not None
        )

    @property
    def is_pending(self):
        """A claim to an organisation nobody has confirmed yet."""
        return self.organisation_id is not None and self.organisation_verified_at is None


def confirmed_memberships():
    return Membership.objects.filter(
        organisation__isnull=False,
        email_verified_at__isnull=False,
        organisation_verified_at__isnull=False,
        user__is_active=True,
    )


def pending_memberships():
    """Claims to an organisation that wait for a confirmed member or the scaling team: only
    people who have confirmed their email address, so nobody is asked about a typo."""
    return Membership.objects.filter(
        organisation__isnull=False,
        email_verified_at__isnull=False,
        organisation_verified_at__isnull=True,
        user__is_active=True,
    )


def membership_of(user):
    """The user's membership, confirmed or not, or None."""
    if not (user and user.is_authenticated):
        return None
    return Membership.objects.filter(user=user).select_related("organisation").first()


def confirmed_organisation_of(user):
    """The organisation a signed-in user may act for: only when the registry has confirmed
    their membership. A self-asserted organisation answers None."""
    if not (user and user.is_authenticated):
        return None
    membership = confirmed_memberships().filter(user=user).select_related("organisation").first()
    return membership.organisation if membership else None


def confirmed_supplier_of(user):
    """The supplier organisation whose submissions the user may work on, or None."""
    from registry.choices import OrganisationKind

    organisation = confirmed_organisation_of(user)
    if organisation is None or organisation.kind != OrganisationKind.SUPPLIER:
        return None
    return organisation
