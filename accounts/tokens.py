"""Links sent by email: verifying an address, resetting a password, and inviting a colleague.

Verification and reset links are single-use and need no table: like Django's password reset
token, each is a hash of the account's state, and using the link changes that state (the
email becomes verified; the password changes), so the same link is refused next time. Both
hashes include `is_active`, and verification is only for an address never verified, so a
link sent before the scaling team deactivated an account can never re-activate it or sign
anyone in. Both expire after `PASSWORD_RESET_TIMEOUT` (Django's default, 3 days).

An invitation is a signed payload (organisation, address, who invited); it is used up when
the account for that address is created, and honoured only while the person who sent it is
still a confirmed member of the organisation.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing

INVITE_SALT = "accounts.invite"
LINK_MAX_AGE = 60 * 60 * 24 * 3  # three days


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        membership = getattr(user, "membership", None)
        verified_at = membership.email_verified_at if membership else None
        verified = "" if verified_at is None else verified_at.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.email}{user.is_active}{verified}{timestamp}"


class PasswordResetTokenGeneratorForActiveAccounts(PasswordResetTokenGenerator):
    """Django's reset token (password hash, last sign-in, email), plus whether the account
    is active: deactivating an account voids every reset link already sent."""

    key_salt = "accounts.tokens.PasswordResetTokenGeneratorForActiveAccounts"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


email_verification_token = EmailVerificationTokenGenerator()
password_reset_token = PasswordResetTokenGeneratorForActiveAccounts()


def make_invitation_token(organisation, email, invited_by):
    return signing.dumps(
        {"organisation": organisation.pk, "email": email.lower(), "by": invited_by.pk},
        salt=INVITE_SALT,
    )


def read_invitation_token(token):
    try:
        return signing.loads(token, salt=INVITE_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
