"""Open data: valid Frictionless packages, nothing private, the catalogue round-trips."""

import datetime
import hashlib
import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command
from frictionless import Package, validate

from api import opendata
from assessments.models import Standard
from buyers.models import AdoptionClaim, PeerMessage
from tests.assessments.factories import ComplianceFactory
from tests.formularies.factories import FormularyEntryFactory, FormularyFactory
from tests.registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    EvidenceFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tmp_path):
    def publish(**kwargs):
        return opendata.publish(destination=tmp_path, **kwargs)

    return publish


def unpack(publication, into):
    with zipfile.ZipFile(publication.path) as archive:
        archive.extractall(into)
    return into


def public_catalogue():
    product = ProductFactory(title="Acme Remote Monitoring", external_id="acme-rm")
    EvidenceFactory(product=product)
    ComplianceFactory(product=product, standard=Standard.objects.get(code="DCB0129"))
    adopter = OrganisationFactory(name="Example Trust", ods_code="RJ1", external_id="org-rj1")
    AdoptionFactory(product=product, organisation=adopter, confirmed=True)
    study = CaseStudyFactory(
        products=[product], organisation=adopter, contact_name="", contact_role=""
    )
    OutcomeFactory(case_study=study)
    formulary = FormularyFactory(organisation=adopter, introduction="For our clinical teams.")
    FormularyEntryFactory(formulary=formulary, product=product, note="Wards only")
    return product, adopter, study


def test_the_package_is_valid_frictionless_data_with_checksums(published, tmp_path):
    public_catalogue()

    publication = published()
    folder = unpack(publication, tmp_path / "unpacked")

    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["licenses"][0]["title"] == "Open Government Licence v3.0"
    for resource in package["resources"]:
        content = (folder / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        assert resource["bytes"] == len(content)
    rows = {
        resource.name: resource.read_rows()
        for resource in Package(str(folder / "datapackage.json")).resources
        if resource.name != "catalogue"
    }
    assert [row["name"] for row in rows["products"]] == ["Acme Remote Monitoring"]
    assert rows["products"][0]["adoption_count"] == 1
    assert rows["adoptions"][0]["ods_code"] == "RJ1"
    assert rows["compliance"][0]["standard"] == "DCB0129"
    assert rows["case_study_outcomes"][0]["before"] == 10
    assert {row["organisation_id"] for row in rows["organisations"]} >= {"org-rj1"}
    assert [(row["organisation_id"], row["introduction"]) for row in rows["formularies"]] == [
        ("org-rj1", "For our clinical teams.")
    ]
    assert [(row["product_id"], row["note"]) for row in rows["formulary_entries"]] == [
        ("acme-rm", "Wards only")
    ]
    checksum = (tmp_path / f"{publication.path.name}.sha256").read_text().split()[0]
    assert checksum == hashlib.sha256(publication.path.read_bytes()).hexdigest()


def test_the_catalogue_round_trips_through_import_registry(published, tmp_path):
    public_catalogue()
    folder = unpack(published(), tmp_path / "unpacked")

    out = io.StringIO()
    call_command("import_registry", str(folder / "catalogue.json"), stdout=out)

    # Every record matched what is already there: the file says what the registry says.
    counts = re.findall(
        r"(\w[\w ]*): (\d+) created, (\d+) updated, (\d+) unchanged", out.getvalue()
    )
    assert {label.strip(): (int(c), int(u), int(n)) for label, c, u, n in counts} == {
        "organisations": (0, 0, 2),
        "products": (0, 0, 1),
        "case studies": (0, 0, 1),
    }


PRIVATE_VALUES = (
    "adopter-contact@private.example",
    "unconfirmed-adopter-contact@private.example",
    "Unconfirmed Adopter Trust",
    "case-study-contact@private.example",
    "Private Person Name",
    "Private Role Title",
    "claimant@private.example",
    "Claiming Organisation Only",
    "A private message between peers",
    "Draft Product Never Published",
    "A note on a formulary still being prepared",
    "An introduction nobody answers for",
    "formulary-editor@private.example",
)


def test_nothing_private_is_ever_published(published, tmp_path, django_user_model):
    product, _, _ = public_catalogue()
    adoption = product.adoptions.get()
    adoption.contact_email = "adopter-contact@private.example"
    adoption.save()
    AdoptionFactory(
        product=product,
        organisation=OrganisationFactory(name="Unconfirmed Adopter Trust"),
        confirmed=False,
        contact_email="unconfirmed-adopter-contact@private.example",
    )
    CaseStudyFactory(
        products=[product],
        contact_name="Private Person Name",
        contact_role="Private Role Title",
        contact_email="case-study-contact@private.example",
    )
    user = django_user_model.objects.create_user("buyer", "buyer@private.example", "x")
    AdoptionClaim.objects.create(
        product=product,
        organisation=OrganisationFactory(name="Claiming Organisation Only"),
        claimed_by=user,
        contact_email="claimant@private.example",
        scale="pilot",
    )
    PeerMessage.objects.create(
        sender=user, adoption=adoption, body="A private message between peers"
    )
    ProductFactory(title="Draft Product Never Published", live=False)
    FormularyEntryFactory(
        formulary=FormularyFactory(published=False),
        product=product,
        note="A note on a formulary still being prepared",
    )
    FormularyFactory(introduction="An introduction nobody answers for", confirmed_member=False)
    listed = product.formulary_entries.get(note="Wards only")
    listed.added_by = django_user_model.objects.create_user(
        "editor", "formulary-editor@private.example", "x"
    )
    listed.save()

    publication = published()

    with zipfile.ZipFile(publication.path) as archive:
        names = archive.namelist()
        assert set(names) == {
            "datapackage.json", "catalogue.json", "products.csv", "compliance.csv",
            "evidence.csv", "adoptions.csv", "organisations.csv", "case_study_outcomes.csv",
            "formularies.csv", "formulary_entries.csv",
        }  # fmt: skip
        for name in names:
            text = archive.read(name).decode()
            for value in PRIVATE_VALUES:
                assert value not in text, f"{value!r} published in {name}"
            assert "buyer@private.example" not in text


def test_dated_files_are_kept_for_the_newest_thirty(published, tmp_path):
    ProductFactory()
    start = datetime.date(2026, 1, 1)
    for offset in range(33):
        published(day=start + datetime.timedelta(days=offset), keep=30)
    kept = opendata.publications(tmp_path)
    assert len(kept) == 30
    assert kept[0]["day"] == start + datetime.timedelta(days=32)
    assert kept[-1]["day"] == start + datetime.timedelta(days=3)
    assert not list(tmp_path.glob("*.partial"))
    assert len(list(tmp_path.glob("*.sha256"))) == 30


def test_the_command_publishes_and_the_page_lists_it(client, settings, tmp_path):
    settings.OPEN_DATA_ROOT = tmp_path
    ProductFactory(title="Acme Remote Monitoring")
    out = io.StringIO()
    call_command("publish_open_data", stdout=out)
    assert "Published" in out.getvalue()

    page = client.get("/open-data/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Open Government Licence v3.0" in text
    name = opendata.dated_name(datetime.date.today())
    assert name in text
    assert "adoption_count" in text  # what each field means
    download = client.get(f"/open-data/files/{name}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert client.get("/open-data/files/..%2Fsettings.py").status_code == 404
    assert client.get("/open-data/files/registry-open-data-2000-01-01.zip").status_code == 404


def test_the_daily_task_publishes(settings, tmp_path):
    from api.tasks import publish_open_data_daily

    settings.OPEN_DATA_ROOT = tmp_path
    ProductFactory()
    result = publish_open_data_daily.enqueue()  # the immediate backend runs it now
    assert result.return_value["file"] == opendata.dated_name(datetime.date.today())
    assert result.return_value["products"] == 1
    assert (tmp_path / result.return_value["file"]).exists()


def awkward_catalogue():
    """Values where the two ways of writing a table could part: empty text and missing dates,
    quotes, commas, line breaks and accents, expired rows, a generated id, evidence held as
    a document, an adopter with no ODS code."""
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from tests.assessments.factories import dtac_rows

    today = datetime.date.today()
    named = ProductFactory(title='Café "Ward", Watch', external_id="cafe-ward-watch")
    generated = ProductFactory(title="No external id", external_id=None)
    dtac_rows(named, expires_on=today + datetime.timedelta(days=90))
    dtac_rows(generated, expires_on=today - datetime.timedelta(days=1))  # lapsed
    document = Document(title="Penetration test summary")
    document.file.save("pentest-summary.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    ComplianceFactory(
        product=named,
        standard=Standard.objects.get(code="ISO27001"),
        status="in_progress",
        assessed_on=None,
        evidence_document=document,
        notes='Audit booked; "stage 2"\nin March',
    )
    for status, code in [("not_met", "HL7V2"), ("partially_met", "FHIR_UK_CORE")]:
        ComplianceFactory(
            product=generated, standard=Standard.objects.get(code=code), status=status
        )
    EvidenceFactory(product=named, summary="Two wards,\nsix months", outcomes="", link="")
    EvidenceFactory(product=generated, title="Évaluation, «réelle»")
    AdoptionFactory(
        product=named,
        organisation=OrganisationFactory(name="Hospice, North", ods_code=None, region=""),
        confirmed=True,
        since=None,
    )
    AdoptionFactory(product=generated, confirmed=True)
    return named, generated, document


def test_postgresql_and_python_write_the_same_files(postgres, published, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    _, generated, document = awkward_catalogue()
    day = datetime.date.today()

    by_database = unpack(published(day=day, in_database=True), tmp_path / "database")
    (tmp_path / opendata.dated_name(day)).unlink()
    by_python = unpack(published(day=day, in_database=False), tmp_path / "python")

    names = sorted(path.name for path in by_database.iterdir())
    assert names == sorted(path.name for path in by_python.iterdir())
    for name in names:
        if name != "datapackage.json":
            assert (by_database / name).read_bytes() == (by_python / name).read_bytes(), name
    packages = [
        json.loads((folder / "datapackage.json").read_text()) for folder in (by_database, by_python)
    ]
    for package in packages:
        del package["created"]
    assert packages[0] == packages[1]

    # And what they both wrote is what the site says.
    rows = {
        resource.name: resource.read_rows()
        for resource in Package(str(by_database / "datapackage.json")).resources
        if resource.name != "catalogue"
    }
    products = {row["product_id"]: row for row in rows["products"]}
    generated_id = f"registry:product:{generated.pk}"
    assert set(products) == {"cafe-ward-watch", generated_id}
    assert {row["product_id"] for row in rows["compliance"]} == set(products)
    assert products["cafe-ward-watch"]["dtac_state"] == "passed"
    assert products[generated_id]["dtac_state"] == "lapsed"
    assert products[generated_id]["standards_met"] is None  # every met row has expired
    effective = {(row["product_id"], row["standard"]): row for row in rows["compliance"]}
    assert effective[(generated_id, "DTAC")]["effective_status"] == "expired"
    assert effective[(generated_id, "DTAC")]["status"] == "met"
    assert effective[(generated_id, "HL7V2")]["effective_status"] == "not_met"
    assert effective[("cafe-ward-watch", "DTAC")]["effective_status"] == "met"
    pentest = effective[("cafe-ward-watch", "ISO27001")]
    assert pentest["evidence_url"].endswith(document.url)
    assert pentest["assessed_on"] is None
    hospice = next(row for row in rows["adoptions"] if row["organisation_name"] == "Hospice, North")
    assert hospice["ods_code"] is None and hospice["since"] is None
    assert validate(str(by_database / "datapackage.json")).valid


def test_the_catalogue_records_are_the_exporters(postgres, published, tmp_path, settings):
    """The evidence, compliance and adoptions PostgreSQL writes as JSON are the records
    `export_registry` builds in Python, key for key (contacts left out)."""
    from interchange import exporter

    settings.MEDIA_ROOT = tmp_path / "media"
    awkward_catalogue()
    folder = unpack(published(in_database=True), tmp_path / "unpacked")

    published_products = json.loads((folder / "catalogue.json").read_text())["products"]
    exported = exporter.export_catalogue()["products"]
    for record in exported:
        for adoption in record["adoptions"]:
            adoption["contact_email"] = ""
        record["adoptions"] = [a for a in record["adoptions"] if a["confirmed"]]
    assert sorted(published_products, key=lambda record: record["id"]) == exported
