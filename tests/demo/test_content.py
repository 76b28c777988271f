"""Demo content a reader would not catch out: distinct names and summaries, study sizes that
fit the adoption, contacts whose roles fit where they work, and no identifier or link that
leads to something real. Checked on the plan (no database writes) at several seeds and sizes.
"""

import datetime
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest

from demo.loader import load_catalogue
from demo.plan import build_plan

pytestmark = pytest.mark.django_db  # the catalogue the plans are built from

TODAY = datetime.date(2026, 12, 3)
PLANS = [(30, 1), (120, 7), (200, 23)]

#: Organisation kinds named by the kind of site a study reports ("at 3 GP practices").
SITE_KINDS = {
    "NHS trusts": "nhs_trust",
    "GP practices": "gp_practice",
    "integrated care boards": "icb",
    "councils": "local_authority",
    "care providers": "social_care_provider",
}
SITES_RE = re.compile(r"\bat (\d+) (" + "|".join(SITE_KINDS) + r")\b")
#: More people than any one site puts into a study of a digital product.
MOST_PEOPLE_PER_SITE = 3_000

#: Words in a job title that only fit some kinds of organisation.
ROLE_WORDS = {
    "practice manager": {"gp_practice"},
    "practice nurse": {"gp_practice"},
    "gp partner": {"gp_practice"},
    "commissioning": {"icb", "local_authority"},
    "registered manager": {"social_care_provider"},
    "deputy manager": {"social_care_provider"},
    "chief clinical information officer": {"nhs_trust"},
    "chief nursing information officer": {"nhs_trust"},
    "director of digital services": {"nhs_trust"},
    "head of outpatients": {"nhs_trust"},
    "virtual wards": {"nhs_trust", "icb"},
    "assistive technology": {"local_authority"},
}


_built = {}


@pytest.fixture
def plans(db):
    """The plans, built once per run (each is pure: the same catalogue, seed and date)."""
    if not _built:
        catalogue = load_catalogue()
        _built["plans"] = [build_plan(size, seed, TODAY, catalogue) for size, seed in PLANS]
    return _built["plans"]


def test_no_two_products_share_a_name_or_a_summary(plans):
    for plan in plans:
        titles = Counter(product.title for product in plan.products)
        summaries = Counter(product.summary for product in plan.products)
        assert [title for title, n in titles.items() if n > 1] == []
        assert [summary for summary, n in summaries.items() if n > 1] == []


def test_no_citation_opens_the_real_doi_resolver_or_a_real_host(plans):
    links = [
        evidence.link
        for plan in plans
        for product in plan.products
        for evidence in product.evidence
        if evidence.link
    ]
    assert links
    for link in links:
        host = urlsplit(link).hostname
        assert "doi.org" not in link
        assert not re.match(r"^(doi:)?10\.\d{4,9}/", link)  # a bare DOI resolves at doi.org
        assert host.endswith(".example"), link


def test_identifiers_are_in_the_documented_fictional_ranges(plans):
    for plan in plans:
        for organisation in plan.organisations:
            assert organisation.ods_code.startswith("DEMO")
            assert urlsplit(organisation.website).hostname.endswith(".example")
        for supplier in plan.suppliers:
            number = supplier.companies_house_number
            assert number.isdigit() and 99_000_000 <= int(number) <= 99_999_999
            assert urlsplit(supplier.website).hostname.endswith(".example")


def test_study_sizes_fit_the_adoption(plans):
    multi_site = 0
    for plan in plans:
        for product in plan.products:
            adopters = [
                plan.organisations[a.organisation] for a in product.adoptions if a.confirmed
            ]
            names = {organisation.name for organisation in adopters}
            kinds = Counter(organisation.kind for organisation in adopters)
            for evidence in product.evidence:
                text = f"{evidence.title} {evidence.summary}"
                sites = SITES_RE.search(text)
                if sites:
                    count, kind = int(sites[1]), SITE_KINDS[sites[2]]
                    assert 1 < count <= kinds[kind], (product.title, text, kinds)
                    multi_site += 1
                else:
                    count = 1
                    place = re.search(r".* at (.+?)(?:, over|, followed|\.$)", evidence.summary)
                    if place:
                        at = place[1]
                        assert at in names or (not names and at.startswith("an NHS trust in"))
                people = re.match(r"^([\d,]+) ", evidence.summary)
                if people:
                    assert int(people[1].replace(",", "")) <= count * MOST_PEOPLE_PER_SITE
    assert multi_site  # the check above saw studies across several sites


def test_single_adopter_products_report_single_site_studies(plans):
    seen = 0
    for plan in plans:
        for product in plan.products:
            confirmed = [a for a in product.adoptions if a.confirmed]
            if len(confirmed) != 1:
                continue
            for evidence in product.evidence:
                assert not SITES_RE.search(f"{evidence.title} {evidence.summary}")
                seen += 1
    assert seen


def test_contact_roles_fit_the_organisation_kind(plans):
    checked = Counter()
    for plan in plans:
        for product in plan.products:
            study = product.case_study
            if study is None:
                continue
            organisation = plan.organisations[study.organisation]
            role = study.contact_role.lower()
            for words, kinds in ROLE_WORDS.items():
                if words in role:
                    assert organisation.kind in kinds, (study.contact_role, organisation)
            domain = study.contact_email.rsplit("@", 1)[1]
            assert domain.endswith(".example")
            assert domain.endswith(".nhs.example") == (
                organisation.kind in ("nhs_trust", "icb", "gp_practice")
            )
            checked[organisation.kind] += 1
    assert sum(checked.values()) >= 10 and len(checked) >= 2, checked


def test_studies_at_adopters_come_after_the_first_adoption(plans):
    checked = 0
    for plan in plans:
        for product in plan.products:
            since = [a.since.year for a in product.adoptions if a.confirmed]
            for evidence in product.evidence:
                if since:
                    assert evidence.year >= min(since), (product.title, evidence.title)
                    checked += 1
                assert evidence.year <= TODAY.year
    assert checked
