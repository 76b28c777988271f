"""Signed links sent by email: verifying an address, and inviting a colleague.

Both are signed with the project's secret key and expire; neither needs a table.
"""

from django.core import signing

VERIFY_SALT = "accounts.verify-email"
INVITE_SALT = "accounts.invite"
LINK_MAX_AGE = 60 * 60 * 24 * 3  # three days


def make_verification_token(user):
    return signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFY_SALT)


def read_verification_token(token):
    """The user id and email the link was made for, or None if it is forged or too old."""
    try:
        return signing.loads(token, salt=VERIFY_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None


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
