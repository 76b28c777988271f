"""Who a person is in the registry: Django's own user, plus the organisation they act for.

Innovators belong to a supplier organisation; buyers may belong to an NHS organisation or
to none. Whether someone is NHS staff is derived from their email address, never stored.
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


def organisation_acted_for(user):
    """The organisation a signed-in user acts for, or None."""
    if not user.is_authenticated:
        return None
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    return membership.organisation if membership else None
