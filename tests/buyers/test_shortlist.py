"""The shortlist: kept in the session for visitors and in the account once signed in, moved
across on sign-in, capped, exported as CSV (checked field by field) and frozen as a dated
record that does not change when the catalogue does."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from assessments.models import Standard
from buyers.models import FrozenShortlist, ShortlistItem
from buyers.shortlist import CSV_COLUMNS, MAX_ITEMS, SESSION_KEY
from registry.choices import DeviceClass, EvidenceType, Region

from ..accounts.factories import UserFactory
from ..assessments.factories import ComplianceFactory, dtac_rows
from ..registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    EvidenceFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProductFactory,
    SupplierFactory,
)
from ..search.asking import page_text

pytestmark = pytest.mark.django_db


def add(client, product, next_url=""):
    url = "/shortlist/add/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"product": product.pk}, follow=True)


def exported_rows(client):
    response = client.get("/shortlist/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="shortlist-')
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_a_visitor_adds_and_removes_products(client):
    first, second = ProductFactory(title="WardWatch"), ProductFactory(title="HomeCheck")
    response = add(client, first)
    assert "WardWatch added to your shortlist" in page_text(response)
    add(client, second)
    text = page_text(client.get("/shortlist/"))
    assert "WardWatch" in text and "HomeCheck" in text
    assert "2 of at most 100 products" in text
    assert "Shortlist (2)" in text  # the header link counts them
    assert "already on your shortlist" in page_text(add(client, first))
    client.post("/shortlist/remove/", {"product": first.pk})
    text = page_text(client.get("/shortlist/"))
    assert "WardWatch" not in text.split("Products on your shortlist")[1]
    assert ShortlistItem.objects.count() == 0  # a visitor's shortlist is in the session


def test_a_signed_in_buyer_keeps_the_shortlist_in_the_account(client):
    user = UserFactory()
    client.force_login(user)
    product = ProductFactory(title="WardWatch")
    add(client, product)
    assert list(ShortlistItem.objects.values_list("user", "product")) == [(user.pk, product.pk)]
    client.logout()
    assert "Your shortlist is empty" in page_text(client.get("/shortlist/"))
    client.force_login(user)
    assert "WardWatch" in page_text(client.get("/shortlist/"))


def test_a_visitors_shortlist_moves_into_the_account_on_sign_in(client):
    user = UserFactory()
    already, visiting, withdrawn = ProductFactory(), ProductFactory(), ProductFactory()
    ShortlistItem.objects.create(user=user, product=already)
    add(client, already, next_url="/search/%3Fq%3Dward")
    add(client, visiting, next_url="/search/%3Fq%3Dward%26category%3Dx")
    add(client, withdrawn)
    withdrawn.unpublish()

    client.force_login(user)  # sends user_logged_in, as any sign-in view does

    rows = ShortlistItem.objects.filter(user=user).order_by("pk")
    assert [row.product_id for row in rows] == [already.pk, visiting.pk]
    assert rows[1].found_by == "q=ward&category=x"
    assert SESSION_KEY not in client.session


def test_the_shortlist_is_capped_with_a_clear_message(client):
    user = UserFactory()
    supplier = SupplierFactory()  # one for all: a supplier each adds nothing to the cap
    for product in [ProductFactory(supplier=supplier) for _ in range(MAX_ITEMS)]:
        ShortlistItem.objects.create(user=user, product=product)
    client.force_login(user)
    extra = ProductFactory(title="One too many")
    response = add(client, extra)
    assert f"Your shortlist has {MAX_ITEMS} products, the most it can hold" in page_text(response)
    assert not ShortlistItem.objects.filter(product=extra).exists()
    # A full shortlist still exports and freezes whole.
    assert len(exported_rows(client)) == MAX_ITEMS
    client.post("/shortlist/records/", {"title": "Everything"})
    assert len(FrozenShortlist.objects.get().products) == MAX_ITEMS


def test_hundreds_of_forged_session_entries_read_as_at_most_the_cap(client):
    product = ProductFactory(title="Real product")
    session = client.session
    session[SESSION_KEY] = [
        {"id": product.pk, "found_by": "q=a"},
        *[{"id": 10_000_000 + n} for n in range(400)],
        "junk",
        {"id": "not-a-number"},
    ]
    session.save()
    response = client.get("/shortlist/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Real product" in text
    assert "99 products on your shortlist are no longer published" in text
    assert "1 of at most 100 products" in text


def test_forged_product_ids_are_ignored_with_a_message(client):
    for forged in ["0", "99999999", "abc", "1 OR 1=1"]:
        response = client.post("/shortlist/add/", {"product": forged}, follow=True)
        assert response.status_code == 200
        assert "We could not find that product" in page_text(response)


def test_csv_export_field_by_field(client):
    today = datetime.date.today()
    supplier = SupplierFactory(name="Bedside Digital Ltd", companies_house_number="01234567")
    product = ProductFactory(
        title="WardWatch",
        supplier=supplier,
        summary="Monitors patients on virtual wards.",
        esf_tier="C",
        device_class=DeviceClass.IIA,
        conformity_marking="ukca",
        pricing_model="per_patient",
        deployment_model="cloud",
        last_reviewed_on=datetime.date(2026, 1, 15),
    )
    dtac_rows(product, expires_on=today + datetime.timedelta(days=90))
    # The DSPT behind DTAC section C2 lapsed yesterday.
    product.compliance.filter(standard__code="DSPT").update(
        expires_on=today - datetime.timedelta(days=1)
    )
    ComplianceFactory(product=product, standard=Standard.objects.get(code="GP_CONNECT"))
    EvidenceFactory(product=product, evidence_type=EvidenceType.RCT)
    EvidenceFactory(product=product, evidence_type=EvidenceType.AUDIT)
    adopter = OrganisationFactory(
        name="Leeds Teaching Hospitals", region=Region.NORTH_EAST_AND_YORKSHIRE
    )
    AdoptionFactory(product=product, organisation=adopter)
    AdoptionFactory(product=product, confirmed=False)
    study = CaseStudyFactory(products=[product], organisation=adopter)
    OutcomeFactory(case_study=study, metric="Readmissions", before=120, after=90, unit="patients")
    category = product.category.name

    add(client, product, next_url="/search/%3Fq%3Dward%26esf_tier%3DC")
    rows = exported_rows(client)

    codes = list(Standard.objects.filter(is_active=True).values_list("code", flat=True))
    assert list(rows[0]) == [heading for heading, _ in CSV_COLUMNS] + [
        heading for code in codes for heading in (f"{code} status", f"{code} expires")
    ]
    assert len(rows) == 1
    row = rows[0]
    assert row["Product"] == "WardWatch"
    assert row["Supplier"] == "Bedside Digital Ltd"
    assert row["Companies House number"] == "01234567"
    assert row["Category"] == category
    assert row["Summary"] == "Monitors patients on virtual wards."
    assert row["NICE ESF tier"] == "Tier C: interventions, diagnosis and guiding care"
    assert row["Evidence items"] == "2"
    # Eight of the nine standards DTAC rests on, and GP Connect; DTAC has its own column.
    assert row["Standards met"] == "9"
    assert row["Standards expired"] == "1"
    assert row["DTAC"] == "Lapsed"
    yesterday = today - datetime.timedelta(days=1)
    assert row["DTAC reason"] == f"Lapsed: DSPT expired on {yesterday:%-d %B %Y}."
    # One pair of columns per standard: status and expiry.
    assert row["DSPT status"] == "Expired"
    assert row["DSPT expires"] == yesterday.isoformat()
    assert row["DTAC_C2 status"] == "Lapsed"
    assert row["GP_CONNECT status"] == "Met"
    assert row["GP_CONNECT expires"] == ""
    assert row["ISO27001 status"] == ""
    assert row["Integrations"] == Standard.objects.get(code="GP_CONNECT").name
    assert row["Medical device class"] == "Class IIa"
    assert row["UKCA or CE marking"] == "UKCA"
    assert row["Confirmed adopters"] == "1"
    assert row["Adopter regions"] == "North East and Yorkshire"
    assert row["Case study outcomes"] == (
        "Readmissions: 120 patients to 90 patients (Leeds Teaching Hospitals)"
    )
    assert row["Pricing"] == "Per patient"
    assert row["Deployment"] == "Cloud-hosted (software as a service)"
    assert row["Listing last reviewed"] == "2026-01-15"
    assert row["Found by"] == "Search for \u2018ward\u2019; NICE evidence tier: " + (
        "Tier C: interventions, diagnosis and guiding care"
    )
    assert row["Registry page"] == "http://testserver/products/wardwatch/"


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client):
    product = ProductFactory(title='=HYPERLINK("http://evil")', summary="+1 and -1")
    add(client, product)
    row = exported_rows(client)[0]
    assert row["Product"] == '\'=HYPERLINK("http://evil")'
    assert row["Summary"] == "'+1 and -1"


def test_a_frozen_record_keeps_what_the_products_showed_and_how_they_were_found(client):
    user = UserFactory()
    client.force_login(user)
    product = ProductFactory(title="WardWatch", summary="Monitors virtual wards.")
    ComplianceFactory(product=product, standard=Standard.objects.get(code="DCB0129"))
    add(client, product, next_url="/search/%3Fq%3Dvirtual+ward%26page%3D2")
    response = client.post("/shortlist/records/", {"title": "Virtual ward procurement 2026"})
    record = FrozenShortlist.objects.get()
    assert response["Location"] == f"/shortlist/records/{record.pk}/"
    assert record.created_by == user
    assert record.searches == [
        {"query_string": "q=virtual+ward", "description": "Search for \u2018virtual ward\u2019"}
    ]

    # The catalogue changes afterwards: new name, new summary, the standard lapses.
    product.title = "WardWatch 2"
    product.summary = "Something else entirely."
    product.save_revision().publish()
    product.compliance.update(expires_on=datetime.date.today() - datetime.timedelta(days=3))
    product.unpublish()

    client.logout()  # anyone with the address can read it, for audit
    text = page_text(client.get(f"/shortlist/records/{record.pk}/"))
    assert "Virtual ward procurement 2026" in text
    assert f"Saved on {timezone.localtime(record.created_at):%-d %B %Y}" in text
    assert "Search for \u2018virtual ward\u2019" in text
    assert "WardWatch" in text and "WardWatch 2" not in text
    assert "Monitors virtual wards." in text
    assert "1 met, 0 expired" in text
    assert "Something else entirely" not in text


def test_a_record_of_an_empty_shortlist_is_refused(client):
    response = client.post("/shortlist/records/", {"title": "x"}, follow=True)
    assert "Add products to your shortlist before you save a record" in page_text(response)
    assert not FrozenShortlist.objects.exists()


def test_unknown_records_are_not_found(client):
    assert client.get("/shortlist/records/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/shortlist/records/not-a-uuid/").status_code == 404


def test_products_can_be_shortlisted_from_the_listings(client):
    product = ProductFactory(title="WardWatch")
    listing = client.get("/products/?page=1").content.decode()
    assert 'formaction="/shortlist/add/?next=/products/%3Fpage%3D1"' in listing
    response = client.post(
        "/shortlist/add/?next=/products/%3Fpage%3D1", {"product": product.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/products/?page=1"
    assert "WardWatch added to your shortlist" in page_text(response)
