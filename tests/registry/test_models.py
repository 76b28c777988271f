"""Validation rules a user meets when entering catalogue data, and computed expiry."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import ComplianceStatus, ProductCompliance, Standard
from registry.models import Organisation
from registry.validators import link_for

from ..assessments.factories import ComplianceFactory
from .factories import OrganisationFactory, ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["RJ1", "A81001", "QWE", "rxh01", " r j 1 "])
def test_valid_ods_codes_are_accepted_and_normalised(code):
    organisation = Organisation(name="Trust", kind="nhs_trust", ods_code=code)
    organisation.full_clean()
    assert organisation.ods_code == code.replace(" ", "").upper()


@pytest.mark.parametrize("code", ["R1", "R-J1", "ABCDEFGHIJK", "12345"])
def test_invalid_ods_codes_name_the_field(code):
    organisation = Organisation(name="Trust", kind="nhs_trust", ods_code=code)
    with pytest.raises(ValidationError) as excinfo:
        organisation.full_clean()
    assert "ods_code" in excinfo.value.message_dict
    assert "ODS code" in excinfo.value.message_dict["ods_code"][0]


@pytest.mark.parametrize(
    ("number", "stored"),
    [("01234567", "01234567"), ("sc123456", "SC123456"), ("1234567", "01234567")],
)
def test_companies_house_numbers_are_normalised(number, stored):
    supplier = Organisation(name="Ltd", kind="supplier", companies_house_number=number)
    supplier.full_clean()
    assert supplier.companies_house_number == stored


@pytest.mark.parametrize("number", ["123456789", "S1234567", "ABC12345", "12-34567"])
def test_invalid_companies_house_numbers_name_the_field(number):
    supplier = Organisation(name="Ltd", kind="supplier", companies_house_number=number)
    with pytest.raises(ValidationError) as excinfo:
        supplier.full_clean()
    assert "Companies House number" in excinfo.value.message_dict["companies_house_number"][0]


def test_ods_codes_are_unique_whatever_the_case():
    OrganisationFactory(ods_code="RJ1")
    duplicate = Organisation(name="Another", kind="nhs_trust", ods_code="rj1")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "ods_code" in excinfo.value.message_dict


def test_product_summary_over_the_limit_is_refused():
    product = ProductFactory.build(supplier=SupplierFactory(), summary="x" * 301)
    with pytest.raises(ValidationError) as excinfo:
        product.full_clean(exclude=["path", "depth", "slug", "care_settings"])
    assert "300" in excinfo.value.message_dict["summary"][0]


def test_expiry_before_assessed_date_is_refused():
    row = ProductCompliance(
        product=ProductFactory(),
        standard=Standard.objects.get(code="CE"),
        status=ComplianceStatus.MET,
        assessed_on=datetime.date(2025, 6, 1),
        expires_on=datetime.date(2025, 5, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert "expires_on" in excinfo.value.message_dict


def test_compliance_past_its_expiry_date_reads_as_expired_without_being_edited():
    today = timezone.localdate()
    row = ComplianceFactory(
        standard=Standard.objects.get(code="CE"),
        status=ComplianceStatus.MET,
        assessed_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=1),
    )
    row.refresh_from_db()
    assert row.status == ComplianceStatus.MET  # what was assessed is kept
    assert row.is_expired
    assert row.effective_status == "expired"
    assert row.effective_status_label == "Expired"


def test_compliance_expiring_today_is_still_valid():
    today = timezone.localdate()
    row = ComplianceFactory(
        standard=Standard.objects.get(code="CE"),
        assessed_on=today - datetime.timedelta(days=365),
        expires_on=today,
    )
    assert not row.is_expired
    assert row.effective_status == "met"


def test_standards_catalogue_ships_every_standard_in_the_brief():
    expected = {
        "DCB0129", "DCB0160", "CSO", "MHRA", "UKCA_CE", "CQC",
        "ICO", "DPO", "DPIA", "DSPT",
        "CE", "CE_PLUS", "PENTEST", "ISO27001",
        "FHIR_UK_CORE", "HL7V2", "GP_CONNECT", "IM1", "NHS_LOGIN", "NHS_APP", "SNOMED_CT",
        "DMD", "NHS_NUMBER", "OPEN_API",
        "WCAG22AA", "NHS_SERVICE_STANDARD", "ACCESSIBILITY_STATEMENT",
        "DTAC", "DTAC_C1", "DTAC_C2", "DTAC_C3", "DTAC_C4", "DTAC_D",
    }  # fmt: skip
    assert expected <= set(Standard.objects.values_list("code", flat=True))
    dtac = Standard.objects.get(code="DTAC")
    assert set(dtac.sections.values_list("code", flat=True)) == {
        "DTAC_C1", "DTAC_C2", "DTAC_C3", "DTAC_C4", "DTAC_D",
    }  # fmt: skip


def test_permission_groups_exist():
    from django.contrib.auth.models import Group

    editors = Group.objects.get(name="Editors")
    assessors = Group.objects.get(name="Assessors")
    assert editors.permissions.filter(codename="change_organisation").exists()
    assert assessors.permissions.filter(codename="access_admin").exists()
    assert not assessors.permissions.filter(codename="change_standard").exists()


@pytest.mark.parametrize(
    ("citation", "url"),
    [
        ("10.1136/bmj.m1234", "https://doi.org/10.1136/bmj.m1234"),
        ("doi:10.1136/bmj.m1234", "https://doi.org/10.1136/bmj.m1234"),
        ("https://example.org/study", "https://example.org/study"),
    ],
)
def test_evidence_links_accept_dois(citation, url):
    assert link_for(citation) == url
