"""'We use this product': only verified members of an NHS or care organisation can claim
for it; a claim is pending until the scaling team verifies it in the admin; then it counts
everywhere: product page, comparison, and search facets through the index queue."""

import pytest
from django.utils import timezone

from accounts.models import Membership
from buyers.membership import is_nhs_email, verified_organisation_of, verified_organisations
from buyers.models import AdoptionClaim
from registry.choices import OrganisationKind, Region
from registry.models import Adoption
from search.models import IndexChange
from search.queue import drain

from ..accounts.factories import UserFactory
from ..registry.factories import OrganisationFactory, ProductFactory, SupplierFactory
from ..search.asking import api_search, facet_counts, page_text
from ..search.indices import index_on_demand

pytestmark = pytest.mark.django_db


def member(user, organisation, verified=True):
    now = timezone.now()
    return Membership.objects.create(
        user=user,
        organisation=organisation,
        email_verified_at=now,
        organisation_verified_at=now if verified else None,
    )


def claim(client, product, organisation, **data):
    return client.post(
        f"/adoptions/claim/{product.pk}/",
        {"organisation": organisation.pk, "scale": "trust_wide", **data},
    )


@pytest.mark.parametrize(
    ("email", "nhs"),
    [
        ("a.person@nhs.net", True),
        ("A.Person@NHS.NET ", True),
        ("someone@nhs.uk", True),
        ("someone@leedsth.nhs.uk", True),
        ("someone@mft.nhs.uk.", True),
        ("someone@notnhs.uk", False),
        ("someone@nhs.uk.example.com", False),
        ("someone@example.com", False),
        ("nhs.net", False),
        ("", False),
        (None, False),
    ],
)
def test_nhs_staff_are_recognised_by_their_email_domain(email, nhs):
    assert is_nhs_email(email) is nhs


def test_signed_out_visitors_are_sent_to_sign_in(client):
    product = ProductFactory()
    response = client.get(f"/adoptions/claim/{product.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=")


def test_people_who_are_not_verified_members_cannot_claim(client):
    product = ProductFactory()
    trust = OrganisationFactory()
    unverified, supplier_staff, nobody = UserFactory(), UserFactory(), UserFactory()
    member(unverified, trust, verified=False)
    member(supplier_staff, SupplierFactory())
    for user in (unverified, supplier_staff, nobody):
        client.force_login(user)
        response = claim(client, product, trust)
        assert response.status_code == 403
        assert "Only verified members of an NHS or care organisation" in page_text(response)
    assert not AdoptionClaim.objects.exists()


def test_a_member_can_only_claim_for_their_own_organisation(client):
    product = ProductFactory()
    mine, theirs = OrganisationFactory(name="My trust"), OrganisationFactory(name="Their trust")
    user = UserFactory()
    member(user, mine)
    client.force_login(user)
    response = claim(client, product, theirs)
    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert not AdoptionClaim.objects.exists()
    form = client.get(f"/adoptions/claim/{product.pk}/").content.decode()
    assert "My trust" in form and "Their trust" not in form


def test_a_claim_is_pending_until_verified_in_the_admin(client, admin_client):
    product = ProductFactory(title="WardWatch")
    trust = OrganisationFactory(name="Leeds Teaching Hospitals", region=Region.NORTH_WEST)
    user = UserFactory(email="cio@leedsth.nhs.uk")
    member(user, trust)
    assert verified_organisation_of(user) == trust
    client.force_login(user)

    response = claim(client, product, trust, since_month="4", since_year="2023")
    assert "Sent for checking" in page_text(response)
    pending = AdoptionClaim.objects.get()
    assert pending.status == "pending"
    assert pending.contact_email == "cio@leedsth.nhs.uk"
    assert str(pending.since) == "2023-04-01"
    # Pending: not shown or counted; the claimant sees it is pending.
    mine = page_text(client.get(product.url))
    assert "No organisation has confirmed it uses WardWatch yet" in mine
    assert "pending verification by the scaling team" in mine
    client.logout()
    theirs = page_text(client.get(product.url))
    assert "pending verification" not in theirs
    client.force_login(user)
    assert not Adoption.objects.exists()
    # A second claim for the same organisation while one is pending is refused.
    again = claim(client, product, trust)
    assert "has already said it uses this product" in page_text(again)

    edit = f"/admin/snippets/registry/adoptionclaim/edit/{pending.pk}/"
    assert admin_client.get(edit).status_code == 200
    response = admin_client.post(edit, {"status": "verified", "decision_note": "Called the CIO"})
    assert response.status_code == 302, page_text(response)[:2000]

    pending.refresh_from_db()
    assert pending.status == "verified"
    assert pending.decided_at is not None
    adoption = Adoption.objects.get()
    assert (adoption.organisation, adoption.confirmed, adoption.scale) == (
        trust,
        True,
        "trust_wide",
    )
    assert adoption.contact_email == "cio@leedsth.nhs.uk"
    text = page_text(client.get(product.url))
    assert "1 organisation has confirmed it uses WardWatch" in text
    assert "Leeds Teaching Hospitals" in text
    assert "cio@leedsth.nhs.uk" not in client.get(product.url).content.decode()
    compare = page_text(client.get(f"/compare/?products={product.slug}"))
    assert "Confirmed adopters 1" in compare

    # A decided claim cannot be decided again.
    admin_client.post(edit, {"status": "rejected", "decision_note": "x"})
    pending.refresh_from_db()
    assert pending.status == "verified"


def test_a_rejected_claim_changes_nothing_public(client, admin_client):
    product = ProductFactory()
    trust = OrganisationFactory()
    user = UserFactory()
    member(user, trust)
    client.force_login(user)
    claim(client, product, trust)
    pending = AdoptionClaim.objects.get()
    admin_client.post(
        f"/admin/snippets/registry/adoptionclaim/edit/{pending.pk}/",
        {"status": "rejected", "decision_note": "Not in use"},
    )
    pending.refresh_from_db()
    assert pending.status == "rejected"
    assert not Adoption.objects.exists()


def test_claims_cannot_be_made_in_the_admin(admin_client):
    # Wagtail answers a refused admin view by sending the user to the dashboard.
    response = admin_client.get("/admin/snippets/registry/adoptionclaim/add/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    response = admin_client.post("/admin/snippets/registry/adoptionclaim/add/", {})
    assert response.status_code == 302
    assert not AdoptionClaim.objects.exists()


def test_only_nhs_and_care_organisations_count_as_verified_membership():
    trust = OrganisationFactory(kind=OrganisationKind.NHS_TRUST)
    care = OrganisationFactory(kind=OrganisationKind.SOCIAL_CARE_PROVIDER)
    expected = {}
    for organisation, verified, counts in (
        (trust, True, True),
        (care, True, True),
        (SupplierFactory(), True, False),
        (OrganisationFactory(), False, False),
    ):
        user = UserFactory()
        member(user, organisation, verified=verified)
        expected[user] = [organisation] if counts else []
    for user, organisations in expected.items():
        assert list(verified_organisations(user)) == organisations


def test_an_unconfirmed_email_is_not_a_verified_membership():
    user = UserFactory()
    trust = OrganisationFactory(kind=OrganisationKind.NHS_TRUST)
    member(user, trust)
    Membership.objects.filter(user=user).update(email_verified_at=None)
    assert verified_organisation_of(user) is None


@pytest.mark.elasticsearch
def test_a_verified_claim_reaches_the_search_facets(client, es_client, settings):
    indexer = index_on_demand(es_client, settings)
    index = next(indexer)
    try:
        product = ProductFactory(title="WardWatch", summary="Virtual ward monitoring.")
        trust = OrganisationFactory(region=Region.SOUTH_WEST)
        index()
        assert facet_counts(api_search(client, q="WardWatch"), "region") == {}

        user = UserFactory()
        member(user, trust)
        client.force_login(user)
        claim(client, product, trust)
        IndexChange.objects.all().delete()
        AdoptionClaim.objects.get().verify(user)
        # The adoption went through the index's own path: a queued change for the product.
        assert set(IndexChange.objects.values_list("kind", "object_id")) == {
            ("product", product.pk)
        }
        drain()
        es_client.indices.refresh(index=f"{settings.SEARCH_INDEX_PREFIX}-*")
        body = api_search(client, q="WardWatch")
        assert facet_counts(body, "region") == {"south_west": 1}
        assert body["results"][0]["adoption_count"] == 1
    finally:
        next(indexer, None)


def test_editors_can_decide_claims(client):
    from django.contrib.auth.models import Group

    product = ProductFactory()
    trust = OrganisationFactory()
    claimant = UserFactory()
    member(claimant, trust)
    pending = AdoptionClaim.objects.create(
        product=product,
        organisation=trust,
        claimed_by=claimant,
        contact_email="a@nhs.net",
        scale="pilot",
    )
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    edit = f"/admin/snippets/registry/adoptionclaim/edit/{pending.pk}/"
    assert client.get(edit).status_code == 200
    client.post(edit, {"status": "verified", "decision_note": ""})
    assert Adoption.objects.get().confirmed is True
