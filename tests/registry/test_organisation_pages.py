"""Public organisation pages, and "where it's used" on the product page."""

import datetime
from decimal import Decimal

import pytest

from registry.choices import OrganisationKind, Region

from .factories import (
    AdoptionFactory,
    CaseStudyFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProductFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db


def test_organisation_page_lists_confirmed_adoptions_of_live_products_only(client):
    trust = OrganisationFactory(
        name="Leeds Teaching Hospitals", region=Region.NORTH_EAST_AND_YORKSHIRE
    )
    used = ProductFactory(title="Remote monitoring")
    AdoptionFactory(organisation=trust, product=used)
    AdoptionFactory(
        organisation=trust, product=ProductFactory(title="Only claimed"), confirmed=False
    )
    AdoptionFactory(organisation=trust, product=ProductFactory(title="Withdrawn", live=False))
    CaseStudyFactory(organisation=trust, title="How Leeds monitors at home", products=[used])

    response = client.get(trust.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert "Leeds Teaching Hospitals" in page
    assert "North East and Yorkshire" in page
    assert "NHS trust" in page
    assert "Remote monitoring" in page
    assert "Only claimed" not in page
    assert "Withdrawn" not in page
    assert "How Leeds monitors at home" in page


def test_supplier_page_lists_its_live_products(client):
    supplier = SupplierFactory(name="Acme Health Ltd")
    ProductFactory(title="Acme Remote", supplier=supplier)
    ProductFactory(title="Acme Draft", supplier=supplier, live=False)
    ProductFactory(title="Someone else's")

    page = client.get(supplier.get_absolute_url()).content.decode()

    assert "Acme Remote" in page
    assert "Acme Draft" not in page
    assert "Someone else&#x27;s" not in page
    assert "1 product by Acme Health Ltd is listed" in page


def test_unknown_organisation_is_not_found(client):
    assert client.get("/organisations/999999/").status_code == 404


def test_product_page_links_adopters_case_study_organisations_and_supplier(client):
    product = ProductFactory()
    trust = OrganisationFactory()
    AdoptionFactory(product=product, organisation=trust)
    study_org = OrganisationFactory()
    CaseStudyFactory(organisation=study_org, products=[product])

    page = client.get(product.url).content.decode()

    assert f'href="/organisations/{trust.pk}/"' in page
    assert f'href="/organisations/{study_org.pk}/"' in page
    assert f'href="/organisations/{product.supplier_id}/"' in page


def _table(page, table_id):
    start = page.index(f'id="{table_id}"')
    return page[start : page.index("</table>", start)]


def test_where_its_used_counts_confirmed_adopters_by_region_kind_and_year(client):
    product = ProductFactory()
    london = {"region": Region.LONDON}
    AdoptionFactory(
        product=product, organisation=OrganisationFactory(**london), since=datetime.date(2021, 3, 1)
    )
    AdoptionFactory(
        product=product, organisation=OrganisationFactory(**london), since=datetime.date(2023, 1, 1)
    )
    AdoptionFactory(
        product=product,
        organisation=OrganisationFactory(region=Region.NORTH_WEST, kind=OrganisationKind.ICB),
        since=None,
    )
    AdoptionFactory(product=product, organisation=OrganisationFactory(**london), confirmed=False)

    proof = client.get(product.url).context["proof"]

    assert proof.adopters_by_region == [("London", 2), ("North West", 1)]
    assert proof.adopters_by_kind == [("NHS trust", 2), ("Integrated care board", 1)]
    this_year = datetime.date.today().year
    over_time = proof.adoption_over_time
    assert over_time[:3] == [(2021, 1, 1), (2022, 0, 1), (2023, 1, 2)]
    assert over_time[-1] == (this_year, 0, 2)
    assert proof.adopters_without_date == 1
    page = client.get(product.url).content.decode()
    assert "London" in _table(page, "adopters-by-region")
    assert 'alt="Confirmed adopters by NHS England region"' in page
    assert "<script" not in page.split('id="where-used-heading"')[1].split("</section>")[0]


def test_outcomes_are_summarised_per_metric_across_sites(client):
    product = ProductFactory()
    changes = {"A": (10, 6), "B": (12, 10), "C": (9, 3)}  # changes -4, -2, -6
    for name, (before, after) in changes.items():
        study = CaseStudyFactory(
            organisation=OrganisationFactory(name=f"Trust {name}"), products=[product]
        )
        OutcomeFactory(
            case_study=study, metric="Did not attend rate", before=before, after=after, unit="%"
        )
    # Same metric in other words and spacing counts as the same measure.
    study = CaseStudyFactory(organisation=OrganisationFactory(), products=[product])
    OutcomeFactory(case_study=study, metric="did not  attend rate", before=8, after=7, unit="%")
    OutcomeFactory(case_study=study, metric="Staff hours saved", before=0, after=40, unit="hours")

    summaries = client.get(product.url).context["proof"].outcomes_across_sites

    dna, hours = summaries
    assert (dna.metric, dna.unit, dna.sites) == ("Did not attend rate", "%", 4)
    assert dna.median_change == Decimal("-3")  # median of -4, -2, -6, -1
    assert (dna.smallest_change, dna.largest_change) == (Decimal("-6"), Decimal("-1"))
    assert (hours.sites, hours.median_change) == (1, Decimal("40"))
    page = client.get(product.url).content.decode()
    table = _table(page, "outcomes-across-sites")
    assert "-3%" in table and "-6% to -1%" in table and "+40 hours" in table
