"""Formularies in the API: the lists anyone may read on the site, and nothing else."""

import pytest

from registry.choices import OrganisationKind
from tests.formularies.factories import (
    ConfirmedMemberFactory,
    FormularyEntryFactory,
    FormularyFactory,
)
from tests.registry.factories import OrganisationFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_a_public_formulary_lists_its_listed_products_with_their_notes(api_get):
    trust = OrganisationFactory(name="Leeds Teaching Hospitals", ods_code="RR8")
    formulary = FormularyFactory(organisation=trust, introduction="For our clinical teams.")
    FormularyEntryFactory(
        formulary=formulary, product=ProductFactory(title="WardWatch"), note="Wards only"
    )
    FormularyEntryFactory(formulary=formulary, product=ProductFactory(title="BreatheWell"))
    FormularyEntryFactory(formulary=formulary, product=ProductFactory(title="Draft", live=False))

    body = api_get(f"/formularies/{formulary.pk}").json()
    assert body["organisation"]["name"] == "Leeds Teaching Hospitals"
    assert body["organisation"]["ods_code"] == "RR8"
    assert body["introduction"] == "For our clinical teams."
    assert body["url"].endswith(f"/organisations/{trust.pk}/formulary/")
    assert [(e["product"]["name"], e["note"]) for e in body["products"]] == [
        ("BreatheWell", "Approved for cardiology follow-up only."),
        ("WardWatch", "Wards only"),
    ]
    assert body["updated_at"]
    listing = api_get("/formularies").json()
    assert [item["id"] for item in listing["items"]] == [formulary.pk]
    assert listing["items"][0] == body


def test_only_published_lists_of_organisations_with_a_confirmed_member_are_served(api_get, client):
    public = FormularyFactory()
    drafts = FormularyFactory(published=False)
    nobody_answers = FormularyFactory(confirmed_member=False)
    unconfirmed = FormularyFactory(confirmed_member=False)
    ConfirmedMemberFactory(organisation=unconfirmed.organisation, organisation_verified_at=None)
    deactivated = FormularyFactory(confirmed_member=False)
    member = ConfirmedMemberFactory(organisation=deactivated.organisation)
    member.user.is_active = False
    member.user.save()
    supplier = FormularyFactory(organisation=OrganisationFactory(kind=OrganisationKind.SUPPLIER))

    body = api_get("/formularies").json()
    assert [item["id"] for item in body["items"]] == [public.pk]
    assert body["total"] == 1
    for hidden in (drafts, nobody_answers, unconfirmed, deactivated, supplier):
        response = api_get(f"/formularies/{hidden.pk}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        # The site agrees: no page, no JSON, no embed.
        organisation = hidden.organisation_id
        assert client.get(f"/organisations/{organisation}/formulary/").status_code == 404
        assert client.get(f"/organisations/{organisation}/formulary.json").status_code == 404


def test_a_formulary_is_withdrawn_while_nobody_answers_for_it(api_get):
    formulary = FormularyFactory()
    membership = formulary.organisation.memberships.get()
    membership.organisation_verified_at = None
    membership.save()
    assert api_get(f"/formularies/{formulary.pk}").status_code == 404
    ConfirmedMemberFactory(organisation=formulary.organisation)
    assert api_get(f"/formularies/{formulary.pk}").status_code == 200
