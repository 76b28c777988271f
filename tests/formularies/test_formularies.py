"""Local formularies: published by an organisation's confirmed members, public as a page,
JSON and a script-free embed; counted on the insight dashboard."""

import pytest
from django.utils import timezone

from accounts.models import Membership
from formularies.models import Formulary, FormularyEntry
from insight.panels import formulary_counts

from ..accounts.factories import UserFactory
from ..registry.factories import OrganisationFactory, ProductFactory

pytestmark = pytest.mark.django_db


def member_of(organisation, confirmed=True):
    user = UserFactory(email="lead@example.nhs.uk", username="lead@example.nhs.uk")
    Membership.objects.create(
        user=user,
        organisation=organisation,
        email_verified_at=timezone.now(),
        organisation_verified_at=timezone.now() if confirmed else None,
    )
    return user


def edit(client, organisation, **data):
    return client.post(f"/organisations/{organisation.pk}/formulary/edit/", data)


def test_a_confirmed_member_builds_and_publishes_the_formulary(client):
    trust = OrganisationFactory(name="Leeds Teaching Hospitals")
    product = ProductFactory(title="Remote monitoring")
    member = member_of(trust)
    client.force_login(member)

    edit(client, trust, action="add", product_name="remote  MONITORING", note="Cardiology only")
    assert client.get(f"/organisations/{trust.pk}/formulary/").status_code == 404  # not yet
    edit(client, trust, action="publish", introduction="For our clinical teams.")

    page = client.get(f"/organisations/{trust.pk}/formulary/").content.decode()
    assert "Remote monitoring" in page and "Cardiology only" in page
    data = client.get(f"/organisations/{trust.pk}/formulary.json").json()
    assert data["organisation"]["name"] == "Leeds Teaching Hospitals"
    assert data["introduction"] == "For our clinical teams."
    assert [(p["name"], p["note"]) for p in data["products"]] == [
        ("Remote monitoring", "Cardiology only")
    ]
    embed = client.get(f"/organisations/{trust.pk}/formulary/embed/")
    assert "X-Frame-Options" not in embed.headers
    assert "<script" not in embed.content.decode()
    assert 'target="_top"' in embed.content.decode()
    assert formulary_counts() == {product.pk: 1}
    # A list nobody can answer for any more is withdrawn, and no longer counts as spread.
    member.is_active = False
    member.save()
    assert formulary_counts() == {}


def test_bad_input_is_explained_and_changes_nothing(client):
    trust = OrganisationFactory()
    client.force_login(member_of(trust))
    ProductFactory(title="Listed")

    response = edit(client, trust, action="add", product_name="Not a product", note="Keep me")
    page = response.content.decode()
    assert "No live product is called “Not a product”" in page
    assert "Keep me" in page  # what they typed is still there
    assert "Error: " in page
    response = edit(client, trust, action="add", product_name="Listed", note="x" * 501)
    assert "500 characters or fewer" in response.content.decode()
    assert not FormularyEntry.objects.exists()


def test_only_confirmed_members_of_that_organisation_may_edit(client):
    trust, other = OrganisationFactory(), OrganisationFactory()
    ProductFactory(title="Listed")
    address = f"/organisations/{trust.pk}/formulary/edit/"

    response = client.get(address)
    assert response.status_code == 302 and "sign-in" in response.url

    client.force_login(member_of(other))
    assert client.get(address).status_code == 403
    assert edit(client, trust, action="add", product_name="Listed").status_code == 403
    client.logout()

    unconfirmed = UserFactory()
    Membership.objects.create(
        user=unconfirmed, organisation=trust, email_verified_at=timezone.now()
    )
    client.force_login(unconfirmed)
    assert client.get(address).status_code == 403
    assert not Formulary.objects.filter(organisation=trust).exists()


def test_the_demo_data_publishes_some_formularies_of_products_in_use():
    from io import StringIO

    from django.core.management import call_command

    output = StringIO()
    call_command("seed_demo", products=30, seed=3, verbosity=0, stdout=output)

    formularies = Formulary.objects.filter(published=True)
    assert formularies.count() >= 1
    assert "local formularies" in output.getvalue()
    for entry in FormularyEntry.objects.select_related("product", "formulary__organisation"):
        assert entry.product.live
        assert entry.product.adoptions.filter(
            confirmed=True, organisation__region=entry.formulary.organisation.region
        ).exists()
