"""Validators for the identifiers the NHS and Companies House issue."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

ODS_CODE_RE = re.compile(r"^[A-Z0-9]{3,10}$")
COMPANIES_HOUSE_RE = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6})$")
DOI_RE = re.compile(r"^(?:doi:)?10\.\d{4,9}/\S+$", re.IGNORECASE)
# A document in this site's own library (wagtail.documents' serve view), which is where an
# approved submission's publishable evidence goes: /documents/<id>/<file name>.
SITE_DOCUMENT_RE = re.compile(r"^/documents/\d+/[^\s/]+$")


def normalise_code(value):
    """Upper-case and strip spaces, the form in which both registers publish codes."""
    return re.sub(r"\s+", "", value or "").upper()


def validate_ods_code(value):
    if not ODS_CODE_RE.match(value or "") or not re.search(r"[A-Z]", value or ""):
        raise ValidationError(
            "Enter an ODS code of 3 to 10 letters and numbers, including at least one "
            "letter, such as RJ1 or A81001.",
            code="invalid_ods_code",
        )


def validate_companies_house_number(value):
    if not COMPANIES_HOUSE_RE.match(value or ""):
        raise ValidationError(
            "Enter a Companies House number of 8 characters: 8 digits such as 01234567, "
            "or 2 letters and 6 digits such as SC123456.",
            code="invalid_companies_house_number",
        )


def validate_link_or_doi(value):
    """Evidence is cited by a web address, by a DOI such as 10.1136/bmj.m1234, or by a
    document in the registry's own library."""
    if DOI_RE.match(value or "") or SITE_DOCUMENT_RE.match(value or ""):
        return
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError as exc:
        raise ValidationError(
            "Enter a web address starting https:// or a DOI such as 10.1136/bmj.m1234.",
            code="invalid_link_or_doi",
        ) from exc


def link_for(value):
    """The address a citation opens: DOIs resolve through doi.org."""
    if value and DOI_RE.match(value):
        return "https://doi.org/" + re.sub(r"^doi:", "", value, flags=re.IGNORECASE)
    return value
