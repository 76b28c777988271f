"""The catalogue file: import_registry and export_registry (docs/import-format.md)."""

import copy
import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Revision
from wagtail.rich_text import RichText

from assessments.models import ComplianceStatus, ProductCompliance, Standard
from interchange.schema import CASE_STUDY, ORGANISATION, PRODUCT
from registry import choices
from registry.models import (
    Adoption,
    CareSetting,
    CaseStudyIndexPage,
    CaseStudyPage,
    Organisation,
    ProductIndexPage,
    ProductPage,
)

from ..assessments.factories import ComplianceFactory
from ..registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    EvidenceFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProductFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLE_PATH = DOCS / "examples" / "registry-example.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


def example():
    return copy.deepcopy(EXAMPLE)


def write(tmp_path, document):
    """The document (a dict, or raw text) as a file to import."""
    path = tmp_path / "catalogue.json"
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(tmp_path, document, *args):
    """Import the document; returns (stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_registry", write(tmp_path, document), *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def problems(tmp_path, document, *args):
    """The problems reported for a document the import must refuse, one per line."""
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_registry",
            write(tmp_path, document),
            *args,
            stdout=io.StringIO(),
            stderr=stderr,
        )
    return stderr.getvalue().splitlines()


def export(*args):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("export_registry", "-", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def catalogue_snapshot():
    """Everything an import may touch, to show that a refused or repeated import did not."""
    return {
        "organisations": list(Organisation.objects.order_by("pk").values()),
        "pages": list(
            ProductPage.objects.order_by("pk").values(
                "pk", "title", "live", "last_published_at", "latest_revision_id"
            )
        )
        + list(
            CaseStudyPage.objects.order_by("pk").values(
                "pk", "title", "live", "last_published_at", "latest_revision_id"
            )
        ),
        "compliance": list(ProductCompliance.objects.order_by("pk").values()),
        "adoptions": list(Adoption.objects.order_by("pk").values()),
        "revisions": Revision.objects.count(),
    }


def summary(stdout):
    return [line for line in stdout.splitlines() if re.match(r"^[a-z ]+: \d+ created", line)]


# --- The documented example ------------------------------------------------------------------


def test_the_documented_example_imports(tmp_path):
    stdout, _ = run(tmp_path, example())

    assert summary(stdout) == [
        "organisations: 4 created, 0 updated, 0 unchanged",
        "products: 2 created, 0 updated, 0 unchanged",
        "case studies: 1 created, 0 updated, 0 unchanged",
    ]
    ward = ProductPage.objects.get(external_id="helix-virtual-ward")
    assert ward.supplier.external_id == "helix-health"
    assert ward.category.slug == "remote-monitoring-and-virtual-wards"
    assert sorted(ward.care_settings.values_list("slug", flat=True)) == ["acute-hospital", "home"]
    assert sorted(ward.clinical_areas.names()) == ["COPD", "heart failure"]
    assert [block.block_type for block in ward.description] == ["text", "text"]
    assert ward.description[1].value.source.startswith(
        "<p>The dashboard ranks patients by NEWS2 score &amp; trend"
    )
    assert [row.standard.code for row in ward.compliance.all()] == [
        "DCB0129",
        "DSPT",
        "CE_PLUS",
        "FHIR_UK_CORE",
        "DTAC",
    ]
    dspt = ward.compliance.get(standard__code="DSPT")
    assert dspt.expires_on == datetime.date(2027, 6, 30)
    assert dspt.status == ComplianceStatus.MET
    # The second adoption names its organisation by ODS code.
    assert [(a.organisation.external_id, a.confirmed) for a in ward.adoptions.all()] == [
        ("northfield-hospitals", True),
        ("riverside-icb", False),
    ]
    assert ward.evidence.count() == 2

    study = CaseStudyPage.objects.get(external_id="northfield-virtual-ward")
    assert [link.product for link in study.product_links.all()] == [ward]
    assert [(o.before, o.after) for o in study.outcomes.all()] == [
        (Decimal("21"), Decimal("14.5")),
        (Decimal("8.2"), Decimal("5.9")),
    ]
    assert (
        study.costs
        == "<p>£180,000 a year for 40 virtual beds, funded from the virtual wards programme.</p>"
    )
    assert sorted(study.tags.names()) == ["heart failure", "virtual wards"]


def test_the_format_page_shows_the_example_file():
    page = (DOCS / "import-format.md").read_text(encoding="utf-8")
    shown = page.split("## A worked example", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    assert json.loads(shown) == EXAMPLE


def test_the_format_page_documents_every_field_and_coded_value():
    page = (DOCS / "import-format.md").read_text(encoding="utf-8")
    for spec in (ORGANISATION, PRODUCT, CASE_STUDY):
        for field in spec.fields:
            assert f"| `{field.key}` |" in page, field.key
    vocabularies = [
        choices.OrganisationKind,
        choices.Region,
        choices.EsfTier,
        choices.DeviceClass,
        choices.ConformityMarking,
        choices.PricingModel,
        choices.DeploymentModel,
        choices.EvidenceType,
        choices.AdoptionScale,
        ComplianceStatus,
    ]
    for vocabulary in vocabularies:
        for value in vocabulary.values:
            assert f"`{value}`" in page, value
    for code in Standard.objects.values_list("code", flat=True):
        assert f"`{code}`" in page, code


def test_imported_pages_are_live_public_and_published_with_a_revision(tmp_path):
    run(tmp_path, example())

    for page in [*ProductPage.objects.all(), *CaseStudyPage.objects.all()]:
        assert page.live
        assert not page.has_unpublished_changes
        assert page.first_published_at is not None
        assert page.live_revision is not None
        assert page.live_revision == page.latest_revision
    products = ProductPage.objects.live().public()
    assert products.count() == 2
    assert set(products.values_list("pk", flat=True)) == set(
        ProductPage.objects.child_of(ProductIndexPage.objects.get()).values_list("pk", flat=True)
    )
    assert (
        CaseStudyPage.objects.live().public().child_of(CaseStudyIndexPage.objects.get()).count()
        == 1
    )
    ward = ProductPage.objects.get(external_id="helix-virtual-ward")
    assert ward.url_path.endswith("/products/helix-virtual-ward/")


# --- Idempotency and updates -------------------------------------------------------------------


def test_a_second_import_of_the_same_file_changes_nothing(tmp_path):
    run(tmp_path, example())
    before = catalogue_snapshot()

    stdout, _ = run(tmp_path, example())

    assert summary(stdout) == [
        "organisations: 0 created, 0 updated, 4 unchanged",
        "products: 0 created, 0 updated, 2 unchanged",
        "case studies: 0 created, 0 updated, 1 unchanged",
    ]
    assert catalogue_snapshot() == before


def test_a_changed_file_updates_records_in_place(tmp_path):
    run(tmp_path, example())
    ward = ProductPage.objects.get(external_id="helix-virtual-ward")
    revisions = ward.revisions.count()
    kept_row = ward.compliance.get(standard__code="DCB0129")

    changed = example()
    product = changed["products"][0]
    product["summary"] = "Remote monitoring for virtual wards, with a clinical dashboard."
    product["compliance"] = [
        {**product["compliance"][0], "notes": "Reviewed again."},
        {"standard": "DCB0160", "status": "in_progress"},
    ]
    product["adoptions"] = product["adoptions"][:1]
    product["clinical_areas"] = ["heart failure"]
    changed["organisations"][2]["name"] = "Northfield Teaching Hospitals NHS Foundation Trust"

    stdout, _ = run(tmp_path, changed, "--verbosity", "2")

    assert summary(stdout) == [
        "organisations: 0 created, 1 updated, 3 unchanged",
        "products: 0 created, 1 updated, 1 unchanged",
        "case studies: 0 created, 0 updated, 1 unchanged",
    ]
    assert (
        "updated product helix-virtual-ward: summary, clinical_areas, compliance, adoptions"
        in stdout
    )
    ward = ProductPage.objects.get(pk=ward.pk)
    assert ward.summary == "Remote monitoring for virtual wards, with a clinical dashboard."
    assert ward.revisions.count() == revisions + 1
    assert ward.live and ward.live_revision == ward.latest_revision
    assert not ward.has_unpublished_changes
    assert [(r.standard.code, r.status, r.notes) for r in ward.compliance.all()] == [
        ("DCB0129", "met", "Reviewed again."),
        ("DCB0160", "in_progress", ""),
    ]
    # The row for a standard that stays is the same row, so its uploaded document would too.
    assert ward.compliance.get(standard__code="DCB0129").pk == kept_row.pk
    assert list(ward.adoptions.values_list("organisation__external_id", flat=True)) == [
        "northfield-hospitals"
    ]
    assert list(ward.clinical_areas.names()) == ["heart failure"]
    assert Organisation.objects.get(external_id="northfield-hospitals").name.startswith(
        "Northfield Teaching"
    )
    assert ProductPage.objects.count() == 2
    assert Organisation.objects.count() == 4

    stdout, _ = run(tmp_path, changed)
    assert "products: 0 created, 0 updated, 2 unchanged" in stdout


def test_a_record_missing_from_the_file_is_left_alone(tmp_path):
    run(tmp_path, example())
    smaller = example()
    smaller["case_studies"] = []
    smaller["products"] = smaller["products"][:1]

    stdout, _ = run(tmp_path, smaller)

    assert "products: 0 created, 0 updated, 1 unchanged" in stdout
    assert ProductPage.objects.live().count() == 2
    assert CaseStudyPage.objects.live().count() == 1


def test_an_unpublished_product_in_the_file_is_published_again(tmp_path):
    run(tmp_path, example())
    ward = ProductPage.objects.get(external_id="helix-virtual-ward")
    ward.unpublish()

    stdout, _ = run(tmp_path, example(), "--verbosity", "2")

    assert "updated product helix-virtual-ward: published" in stdout
    assert ProductPage.objects.get(pk=ward.pk).live


def test_tags_that_differ_only_in_case_reuse_the_existing_tag(tmp_path):
    run(tmp_path, example())
    shouting = example()
    shouting["products"][0]["clinical_areas"] = ["copd", "HEART FAILURE"]

    stdout, _ = run(tmp_path, shouting)

    assert "products: 0 created, 0 updated, 2 unchanged" in stdout


def test_an_organisation_in_the_registry_can_be_referred_to_without_listing_it(tmp_path):
    OrganisationFactory(name="Southbank Hospitals", ods_code="RY8", external_id="southbank")
    document = example()
    document["products"][0]["adoptions"] += [
        {"organisation": {"ods_code": "ry8"}, "scale": "department"},
    ]
    document["products"][1]["adoptions"] = [{"organisation": "southbank", "scale": "pilot"}]

    run(tmp_path, document)

    assert Adoption.objects.filter(organisation__external_id="southbank").count() == 2
    assert Organisation.objects.count() == 5


def test_checking_a_file_takes_the_same_queries_for_any_number_of_records(tmp_path):
    def catalogue(extra_products):
        document = example()
        for number in range(extra_products):
            product = copy.deepcopy(document["products"][0])
            product.update(id=f"extra-{number}", slug=f"extra-{number}")
            document["products"].append(product)
        return document

    counts = []
    for extra_products in (1, 6):
        run(tmp_path, catalogue(extra_products))
        with CaptureQueriesContext(connection) as queries:
            stdout, _ = run(tmp_path, catalogue(extra_products), "--dry-run")
        assert f"products: 0 created, 0 updated, {2 + extra_products} unchanged" in stdout
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- Refusing a bad file -------------------------------------------------------------------------


def test_a_file_with_problems_writes_nothing_and_lists_every_problem(tmp_path):
    run(tmp_path, example())
    before = catalogue_snapshot()

    document = example()
    document["organisations"].append(
        {"id": "new-trust", "name": "A new trust", "kind": "nhs_trust", "ods_code": "R-1"}
    )
    document["products"][0]["summary"] = "x" * 301
    document["products"][0]["compliance"][1]["expires_on"] = "2026-06-01"
    document["products"][1]["compliance"][0]["standard"] = "DCB129"
    document["products"][1]["name"] = "BrightPath Reminders 2"
    document["case_studies"][0]["products"] = ["helix-virtual-ward", "no-such-product"]

    lines = problems(tmp_path, document)

    assert lines == [
        "$.organisations[4].ods_code: Enter an ODS code of 3 to 10 letters and numbers, "
        "including at least one letter, such as RJ1 or A81001.",
        "$.products[0].summary: Ensure this value has at most 300 characters (it has 301).",
        "$.products[0].compliance[1].expires_on: The expiry date must be on or after the date "
        "assessed.",
        '$.products[1].compliance[0].standard: No standard has the code "DCB129". Did you mean '
        '"DCB0129"? The codes are listed in the admin under Standards, such as DCB0129, DSPT '
        "or DTAC.",
        '$.case_studies[0].products[1]: No product has the id "no-such-product", in this file '
        'or in the registry. Add it to "products", or correct the id.',
    ]
    assert catalogue_snapshot() == before
    assert (
        ProductPage.objects.get(external_id="brightpath-reminders").title == "BrightPath Reminders"
    )


def test_a_refused_file_writes_nothing_into_an_empty_registry(tmp_path):
    document = example()
    document["case_studies"][0]["published_on"] = "15/04/2026"

    lines = problems(tmp_path, document)

    assert lines == [
        '$.case_studies[0].published_on: "15/04/2026" is not a date. Write dates as YYYY-MM-DD.'
    ]
    assert not Organisation.objects.exists()
    assert not ProductPage.objects.exists()
    assert not Revision.objects.exists()


def test_the_command_exits_non_zero_with_a_count(tmp_path):
    document = example()
    document["products"][0]["esf_tier"] = "D"
    document["products"][1]["esf_tier"] = "E"
    with pytest.raises(CommandError) as excinfo:
        run(tmp_path, document)
    assert str(excinfo.value).endswith(
        "catalogue.json: 2 problems found, so nothing was imported. Fix them and run the "
        "import again."
    )


def test_malformed_json_is_reported_with_its_line_and_column(tmp_path):
    text = '{\n  "format": "nhs-registry-catalogue",\n  "version": 1\n  "products": []\n}\n'

    lines = problems(tmp_path, text)

    assert lines == [
        "$: The file is not valid JSON: Expecting ',' delimiter at line 4, column 3. Fix the "
        "syntax there (a missing comma or quote, or a trailing comma, is the usual cause)."
    ]
    assert not Organisation.objects.exists()


def _set(document, path, value):
    *parents, last = path
    target = document
    for key in parents:
        target = target[key]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(
            ("format",),
            "nhs-apps-library",
            '$.format: Expected "nhs-registry-catalogue", got "nhs-apps-library".',
            id="wrong format marker",
        ),
        pytest.param(
            ("version",),
            2,
            "$.version: Expected version 1 (a number), got 2. This registry reads version 1 "
            "only. The file is from a newer registry",
            id="newer version",
        ),
        pytest.param(
            ("version",),
            "1",
            '$.version: Expected version 1 (a number), got "1".',
            id="version as text",
        ),
        pytest.param(
            ("products", 0, "compliance", 0, "standard"),
            "ISO9001",
            '$.products[0].compliance[0].standard: No standard has the code "ISO9001".',
            id="unknown standard",
        ),
        pytest.param(
            ("products", 0, "compliance", 1, "standard"),
            "DCB0129",
            "$.products[0].compliance[1].standard: DCB0129 already has a row at "
            "$.products[0].compliance[0]. Record one status per standard.",
            id="duplicate standard",
        ),
        pytest.param(
            ("products", 0, "supplier"),
            "helix",
            '$.products[0].supplier: No organisation has the id "helix", in this file or in '
            "the registry.",
            id="unknown organisation id",
        ),
        pytest.param(
            ("products", 0, "adoptions", 1, "organisation"),
            {"ods_code": "ZZZ99"},
            '$.products[0].adoptions[1].organisation: No organisation has the ODS code "ZZZ99"',
            id="unknown ODS code",
        ),
        pytest.param(
            ("products", 0, "adoptions", 1, "organisation"),
            {"ods_code": "RX9"},
            '$.products[0].adoptions[1].organisation: "Northfield Hospitals NHS Foundation '
            'Trust" is already listed at $.products[0].adoptions[0]. List each adopting '
            "organisation once.",
            id="duplicate adopter",
        ),
        pytest.param(
            ("products", 0, "supplier"),
            "northfield-hospitals",
            '$.products[0].supplier: "Northfield Hospitals NHS Foundation Trust" is not a '
            'supplier (its kind is "nhs_trust").',
            id="supplier that is not a supplier",
        ),
        pytest.param(
            ("products", 0, "category"),
            "remote-monitoring",
            '$.products[0].category: No category has the slug "remote-monitoring". Use one of: '
            "appointments-and-waiting-lists,",
            id="unknown category",
        ),
        pytest.param(
            ("products", 0, "care_settings", 1),
            "hom",
            '$.products[0].care_settings[1]: No care setting has the slug "hom". Did you mean '
            '"home"?',
            id="unknown care setting",
        ),
        pytest.param(
            ("products", 0, "care_settings"),
            [],
            "$.products[0].care_settings: Give at least 1 care setting slug.",
            id="no care setting",
        ),
        pytest.param(
            ("products", 0, "esf_tier"),
            "D",
            '$.products[0].esf_tier: "D" is not a NICE ESF tier. Use one of: A, B, C.',
            id="bad ESF tier",
        ),
        pytest.param(
            ("products", 0, "compliance", 0, "status"),
            "expired",
            '$.products[0].compliance[0].status: "expired" is not a compliance status. Use one '
            "of: met, partially_met, not_met, in_progress, not_applicable.",
            id="bad compliance status",
        ),
        pytest.param(
            ("organisations", 0, "kind"),
            "Supplier",
            '$.organisations[0].kind: "Supplier" is not a kind of organisation. Did you mean '
            '"supplier"?',
            id="bad organisation kind",
        ),
        pytest.param(
            ("organisations", 2, "ods_code"),
            "12345",
            "$.organisations[2].ods_code: Enter an ODS code of 3 to 10 letters and numbers",
            id="invalid ODS code",
        ),
        pytest.param(
            ("organisations", 0, "companies_house_number"),
            "ABC12345",
            "$.organisations[0].companies_house_number: Enter a Companies House number of 8 "
            "characters",
            id="invalid Companies House number",
        ),
        pytest.param(
            ("organisations", 3, "ods_code"),
            "rx9",
            "$.organisations[3].ods_code: The ODS code RX9 is also given to "
            '$.organisations[2] (id "northfield-hospitals").',
            id="ODS code given twice",
        ),
        pytest.param(
            ("products", 1, "summary"),
            "Reminders. " * 28,
            "$.products[1].summary: Ensure this value has at most 300 characters (it has 308).",
            id="summary over 300 characters",
        ),
        pytest.param(
            ("products", 0, "compliance", 2, "expires_on"),
            "2026-02-13",
            "$.products[0].compliance[2].expires_on: The expiry date must be on or after the "
            "date assessed.",
            id="expiry before assessment",
        ),
        pytest.param(
            ("products", 0, "compliance", 0, "assessed_on"),
            "2099-01-01",
            "$.products[0].compliance[0].assessed_on: The date assessed cannot be in the future.",
            id="assessed in the future",
        ),
        pytest.param(
            ("products", 1, "id"),
            "helix-virtual-ward",
            '$.products[1].id: The id "helix-virtual-ward" is already used by $.products[0]. '
            "Give every product its own id.",
            id="duplicate product id",
        ),
        pytest.param(
            ("organisations", 1, "id"),
            "helix-health",
            '$.organisations[1].id: The id "helix-health" is already used by '
            "$.organisations[0]. Give every organisation its own id.",
            id="duplicate organisation id",
        ),
        pytest.param(
            ("products", 1, "slug"),
            "helix-virtual-ward",
            '$.products[1].slug: The slug "helix-virtual-ward" is also used by $.products[0].',
            id="duplicate slug",
        ),
        pytest.param(
            ("products", 0, "evidence", 0, "year"),
            "2024",
            "$.products[0].evidence[0].year: Expected a whole number, got text. Write it without "
            "quotes.",
            id="year as text",
        ),
        pytest.param(
            ("products", 0, "evidence", 0, "link"),
            "bmj article",
            "$.products[0].evidence[0].link: Enter a web address starting https:// or a DOI",
            id="bad evidence link",
        ),
        pytest.param(
            ("products", 0, "adoptions", 0, "confirmed"),
            "yes",
            "$.products[0].adoptions[0].confirmed: Expected true or false, got text.",
            id="boolean as text",
        ),
        pytest.param(
            ("products", 0, "care_settings"),
            "home",
            "$.products[0].care_settings: Expected a list of text, got text.",
            id="list as text",
        ),
        pytest.param(
            ("products", 0, "description"),
            ["One paragraph.", {"html": "<p>Two</p>"}],
            "$.products[0].description[1]: Expected a paragraph as text, got an object.",
            id="paragraph as an object",
        ),
        pytest.param(
            ("case_studies", 0, "outcomes", 0, "before"),
            "21",
            "$.case_studies[0].outcomes[0].before: Expected a number, got text.",
            id="number as text",
        ),
        pytest.param(
            ("case_studies", 0, "outcomes", 0, "after"),
            14.555,
            "$.case_studies[0].outcomes[0].after: Ensure that there are no more than 2 decimal "
            "places.",
            id="too many decimal places",
        ),
        pytest.param(
            ("case_studies", 0, "contact_email"),
            "sam.example",
            "$.case_studies[0].contact_email: Enter a valid email address.",
            id="bad email",
        ),
        pytest.param(
            ("case_studies", 0, "solution"),
            [],
            "$.case_studies[0].solution: This field cannot be blank.",
            id="no solution paragraphs",
        ),
        pytest.param(
            ("products", 0, "summary"),
            _DELETE,
            '$.products[0].summary: Missing. Every product needs "summary".',
            id="missing summary",
        ),
        pytest.param(
            ("organisations", 1, "kind"),
            _DELETE,
            '$.organisations[1].kind: Missing. Every organisation needs "kind".',
            id="missing kind",
        ),
        pytest.param(
            ("products", 0, "name"),
            None,
            '$.products[0].name: Cannot be null: every product needs "name".',
            id="null name",
        ),
        pytest.param(
            ("products", 0, "sumary"),
            "typo",
            '$.products[0].sumary: A product has no field "sumary". Did you mean "summary"?',
            id="unknown field",
        ),
        pytest.param(
            ("products", 1),
            "brightpath-reminders",
            "$.products[1]: Expected a product as a JSON object, got text.",
            id="record that is not an object",
        ),
        pytest.param(
            ("case_studies",),
            {},
            "$.case_studies: Expected a list, got an object.",
            id="section that is not a list",
        ),
    ],
)
def test_each_kind_of_bad_input_is_refused_with_its_path(tmp_path, path, value, expected):
    document = example()
    _set(document, path, value)

    lines = problems(tmp_path, document)

    assert any(line.startswith(expected) for line in lines), "\n".join(lines)
    assert not Organisation.objects.exists()


def test_a_key_given_twice_is_refused(tmp_path):
    text = json.dumps(example()).replace(
        '"name": "Helix Health Ltd",', '"name": "Helix Health Ltd", "name": "Helix",', 1
    )
    lines = problems(tmp_path, text)
    assert lines == [
        '$.organisations[0].name: "name" is given twice in this organisation. Give it once.'
    ]


def test_a_code_held_by_another_registry_organisation_is_refused(tmp_path):
    OrganisationFactory(name="Another trust", ods_code="RX9", external_id="another-trust")

    lines = problems(tmp_path, example())

    assert lines == [
        '$.organisations[2].ods_code: The ODS code RX9 already belongs to "Another trust" in '
        'the registry (id "another-trust"). If this is that organisation, use its id; '
        "otherwise correct the code."
    ]


def test_a_slug_held_by_another_registry_product_is_refused(tmp_path):
    ProductFactory(title="Helix Virtual Ward", slug="helix-virtual-ward", external_id="other")

    lines = problems(tmp_path, example())

    assert lines == [
        '$.products[0].slug: The slug "helix-virtual-ward" is already used by "Helix Virtual '
        'Ward" in the registry (id "other"). If this is that page, use its id; otherwise give '
        'one a different "slug".'
    ]


def test_an_error_found_only_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ValidationError({"title": "The database refused this title."})

    monkeypatch.setattr(CaseStudyPage, "save_revision", refuse)

    lines = problems(tmp_path, example())

    assert lines == [
        "$.case_studies[0].title: Could not be saved: The database refused this title."
    ]
    assert not Organisation.objects.exists()
    assert not ProductPage.objects.exists()
    assert not CaseStudyPage.objects.exists()
    assert not Revision.objects.exists()


# --- Dry run -------------------------------------------------------------------------------------


def test_a_dry_run_reports_and_writes_nothing(tmp_path):
    stdout, _ = run(tmp_path, example(), "--dry-run")

    assert "Dry run: the file is valid and nothing was written." in stdout
    assert summary(stdout) == [
        "organisations: 4 created, 0 updated, 0 unchanged",
        "products: 2 created, 0 updated, 0 unchanged",
        "case studies: 1 created, 0 updated, 0 unchanged",
    ]
    assert not Organisation.objects.exists()
    assert not ProductPage.objects.exists()
    assert not Revision.objects.exists()


def test_a_dry_run_of_a_changed_file_reports_the_update_only(tmp_path):
    run(tmp_path, example())
    before = catalogue_snapshot()
    changed = example()
    changed["products"][1]["summary"] = "Text reminders."

    stdout, _ = run(tmp_path, changed, "--dry-run", "--verbosity", "2")

    assert "updated product brightpath-reminders: summary" in stdout
    assert "products: 0 created, 1 updated, 1 unchanged" in stdout
    assert catalogue_snapshot() == before


def test_a_dry_run_still_refuses_a_bad_file(tmp_path):
    document = example()
    document["products"][0]["esf_tier"] = "D"

    lines = problems(tmp_path, document, "--dry-run")

    assert lines[0].startswith('$.products[0].esf_tier: "D" is not a NICE ESF tier.')


# --- Export and the round trip -------------------------------------------------------------------


def build_catalogue():
    """A catalogue made the way editors make one: in the admin, with no external ids."""
    supplier = SupplierFactory(name="Acme Health Ltd", website="https://acme.example.com")
    trust = OrganisationFactory(name="Example Trust", ods_code="RXA")
    icb = OrganisationFactory(name="Example ICB", kind="icb", ods_code="QXA", region="midlands")
    settings = list(CareSetting.objects.filter(slug__in=["home", "primary-care"]))
    product = ProductFactory(
        title="Acme Monitor",
        supplier=supplier,
        description=[
            ("text", RichText("<p>Fish &amp; chips cost £5 &lt;3 — “quoted”.</p>")),
            ("text", RichText('<p data-block-key="a1b2c">Second paragraph.</p>')),
        ],
        care_settings=settings,
        clinical_areas=["COPD", "asthma"],
        device_class="IIa",
        last_reviewed_on=datetime.date(2026, 1, 5),
    )
    EvidenceFactory(product=product, title="Trial one", year=2022)
    EvidenceFactory(product=product, title="Audit two", evidence_type="audit", link="")
    ComplianceFactory(product=product, standard=Standard.objects.get(code="DCB0129"))
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="DSPT"),
        assessed_on=datetime.date(2026, 3, 1),
        expires_on=datetime.date(2027, 3, 1),
        notes="Standards met",
    )
    AdoptionFactory(product=product, organisation=trust)
    AdoptionFactory(product=product, organisation=icb, scale="pilot", confirmed=False, since=None)
    second = ProductFactory(title="Acme Notes", supplier=supplier, external_id="acme-notes")
    ProductFactory(title="Acme Draft", supplier=supplier, live=False)
    study = CaseStudyFactory(
        organisation=trust, products=[product, second], tags=["virtual wards"], costs="<p>£1m</p>"
    )
    OutcomeFactory(case_study=study)
    OutcomeFactory(
        case_study=study, metric="Bed days", before=Decimal("1200.50"), after=900, unit="days"
    )
    return product


def delete_catalogue():
    for page in [*CaseStudyPage.objects.all(), *ProductPage.objects.all()]:
        page.delete()
    Organisation.objects.all().delete()


def test_export_then_import_into_an_empty_registry_reproduces_the_catalogue(tmp_path):
    product = build_catalogue()
    original, warnings = export()
    assert warnings.strip().startswith("Exported to standard output: organisations: 3,")
    exported = json.loads(original)
    assert [p["id"] for p in exported["products"]] == [
        "acme-notes",
        f"registry:product:{product.pk}",
    ]

    delete_catalogue()
    assert not ProductPage.objects.exists()
    stdout, _ = run(tmp_path, original)
    assert summary(stdout) == [
        "organisations: 3 created, 0 updated, 0 unchanged",
        "products: 2 created, 0 updated, 0 unchanged",
        "case studies: 1 created, 0 updated, 0 unchanged",
    ]

    again, _ = export()
    assert again == original


def test_the_export_is_stable_utf8_json_indented_by_two(tmp_path):
    build_catalogue()
    path = tmp_path / "export.json"
    call_command("export_registry", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    raw = path.read_bytes()
    text = raw.decode("utf-8")

    assert "£5 <3 — “quoted”." in text  # UTF-8, not \u escapes
    assert text.endswith("}\n")
    assert text.startswith('{\n  "format": "nhs-registry-catalogue",\n  "version": 1,\n')
    document = json.loads(text)
    assert list(document["products"][0]) == [f.key for f in PRODUCT.fields]
    assert list(document["organisations"][0]) == [f.key for f in ORGANISATION.fields]
    assert list(document["case_studies"][0]) == [f.key for f in CASE_STUDY.fields]
    assert export()[0] == text


def test_the_export_takes_the_same_queries_for_any_number_of_products():
    build_catalogue()
    with CaptureQueriesContext(connection) as few:
        export()
    for _ in range(4):
        product = ProductFactory(clinical_areas=["COPD"])
        ComplianceFactory(product=product)
        AdoptionFactory(product=product)
        EvidenceFactory(product=product)
    with CaptureQueriesContext(connection) as many:
        export()

    assert len(many) == len(few)


def test_the_export_leaves_out_drafts_and_links_to_them(tmp_path):
    supplier = SupplierFactory()
    live = ProductFactory(supplier=supplier, external_id="live")
    draft = ProductFactory(supplier=supplier, external_id="draft", live=False)
    CaseStudyFactory(products=[live, draft], external_id="study")
    CaseStudyFactory(products=[draft], external_id="only-draft")

    text, stderr = export()
    document = json.loads(text)

    assert [p["id"] for p in document["products"]] == ["live"]
    assert [c["id"] for c in document["case_studies"]] == ["study"]
    assert document["case_studies"][0]["products"] == ["live"]
    assert "case study only-draft: none of its products is exported; skipped." in stderr


def test_the_export_warns_when_formatting_is_dropped(tmp_path):
    ProductFactory(
        external_id="bold",
        description=[("text", RichText("<p>Plain and <b>bold</b>.</p><ul><li>One</li></ul>"))],
    )

    text, stderr = export()

    assert json.loads(text)["products"][0]["description"] == ["Plain and bold.", "One"]
    assert "Warning: product bold: the description has formatting" in stderr


def test_formatting_from_the_admin_survives_a_file_with_the_same_words(tmp_path):
    formatted = "<h2>What it does</h2><p>Monitors people <b>at home</b>.</p>"
    ProductFactory(
        external_id="monitor",
        supplier=SupplierFactory(external_id="acme"),
        description=[("text", RichText(formatted))],
    )
    document = json.loads(export()[0])
    assert document["products"][0]["description"] == ["What it does", "Monitors people at home."]

    document["products"][0]["summary"] = "Monitors people at home."
    stdout, _ = run(tmp_path, document, "--verbosity", "2")

    assert "updated product monitor: summary" in stdout
    page = ProductPage.objects.get(external_id="monitor")
    assert page.summary == "Monitors people at home."
    assert [block.value.source for block in page.description] == [formatted]

    document["products"][0]["description"] = ["Monitors people at home and in care homes."]
    run(tmp_path, document)

    page = ProductPage.objects.get(external_id="monitor")
    assert [block.value.source for block in page.description] == [
        "<p>Monitors people at home and in care homes.</p>"
    ]


def test_a_registry_reads_back_its_own_export_as_unchanged(tmp_path):
    build_catalogue()
    text, _ = export()
    before = catalogue_snapshot()

    stdout, _ = run(tmp_path, text)

    # Records made in the admin have no external id: they are found by ODS code, Companies
    # House number or slug, and the ids the export generated for them are theirs already.
    assert summary(stdout) == [
        "organisations: 0 created, 0 updated, 3 unchanged",
        "products: 0 created, 0 updated, 2 unchanged",
        "case studies: 0 created, 0 updated, 1 unchanged",
    ]
    assert catalogue_snapshot() == before


def test_records_made_in_the_admin_are_matched_by_natural_key_and_take_the_file_id(tmp_path):
    trust = OrganisationFactory(name="Northfield Hospitals", ods_code="RX9")
    supplier = SupplierFactory(name="BrightPath Digital Ltd", companies_house_number=None)
    reminders = ProductFactory(title="Reminders", slug="brightpath-reminders", supplier=supplier)

    stdout, _ = run(tmp_path, example())

    assert summary(stdout) == [
        "organisations: 2 created, 2 updated, 0 unchanged",
        "products: 1 created, 1 updated, 0 unchanged",
        "case studies: 1 created, 0 updated, 0 unchanged",
    ]
    assert (
        "Note: organisation northfield-hospitals matched the registry's record by ODS code "
        "RX9, as that record had no id yet; it takes the file's id." in stdout
    )
    assert "matched the registry's record by name" in stdout
    assert "matched the registry's record by slug brightpath-reminders" in stdout
    trust.refresh_from_db()
    assert trust.external_id == "northfield-hospitals"
    assert trust.name == "Northfield Hospitals NHS Foundation Trust"
    assert Organisation.objects.get(pk=supplier.pk).companies_house_number == "SC612345"
    reminders = ProductPage.objects.get(pk=reminders.pk)
    assert (reminders.external_id, reminders.title) == (
        "brightpath-reminders",
        "BrightPath Reminders",
    )
    assert Organisation.objects.count() == 4
    assert ProductPage.objects.count() == 2
