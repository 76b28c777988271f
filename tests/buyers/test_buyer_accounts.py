"""Buyer accounts: email-verified, NHS staff recognised by their address, and an optional
NHS or care organisation found by ODS code, which counts only once the scaling team
confirms it."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from accounts.models import Membership
from buyers.membership import verified_organisation_of
from registry.choices import OrganisationKind

from ..accounts.factories import PASSWORD
from ..registry.factories import OrganisationFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def register(client, **overrides):
    data = {
        "full_name": "Sam Buyer",
        "email": "sam.buyer@leedsth.nhs.uk",
        "ods_code": "",
        "password": PASSWORD,
        **overrides,
    }
    return client.post("/account/register/buyer/", data)


def follow_emailed_link(client):
    link = re.search(r"https?://testserver(\S+)", mail.outbox[-1].body).group(1)
    return client.get(link, follow=True)


def test_a_buyer_registers_with_their_trust_and_is_marked_nhs_staff(client):
    trust = OrganisationFactory(kind=OrganisationKind.NHS_TRUST, ods_code="RR8")
    response = register(client, ods_code=" rr8 ")
    assert response.status_code == 200
    user = User.objects.get(email="sam.buyer@leedsth.nhs.uk")
    assert not user.is_active
    assert user.membership.organisation == trust
    assert user.membership.is_nhs_staff

    page = follow_emailed_link(client).content.decode()
    assert "You are shown as NHS staff" in page
    user.refresh_from_db()
    assert user.is_active and user.membership.email_verified_at is not None
    # Until the scaling team confirms they work there, they cannot speak for the trust.
    assert verified_organisation_of(user) is None
    Membership.objects.filter(user=user).update(organisation_verified_at=timezone.now())
    assert verified_organisation_of(user) == trust


def test_a_buyer_without_an_organisation_or_an_nhs_address(client):
    register(client, email="sam@example.com")
    user = User.objects.get(email="sam@example.com")
    assert user.membership.organisation is None
    assert not user.membership.is_nhs_staff
    page = follow_emailed_link(client).content.decode()
    assert "You are shown as NHS staff" not in page
    assert "Your email address is confirmed" in page


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("R!8", "ODS code"),
        ("ZZZ9", "No NHS or care organisation in the registry has the ODS code ZZZ9"),
    ],
)
def test_an_unknown_or_malformed_ods_code_is_refused_and_nothing_saved(client, code, message):
    response = register(client, ods_code=code)
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert not User.objects.exists()
    assert not mail.outbox


def test_a_supplier_cannot_be_chosen_as_a_buyers_organisation(client):
    SupplierFactory(ods_code="8JK12")
    response = register(client, ods_code="8JK12")
    assert "No NHS or care organisation in the registry has the ODS code 8JK12" in (
        response.content.decode()
    )
    assert not User.objects.exists()
