"""Each panel's figures against fixtures worked out by hand."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import Standard
from insight import panels
from registry.choices import OrganisationKind, Region
from search.models import SearchQueryLog

from ..assessments.factories import ComplianceFactory
from ..registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


def rows(data, key):
    (chosen,) = [s for s in data["sections"] if s["key"] == key]
    return [[panels._value(item) for item in row] for row in chosen["rows"]]


def pass_dtac(product, expires_on=None):
    """Every standard the DTAC rests on, met (one group alternative each)."""
    codes = ["DTAC", "DTAC_C1", "DTAC_C2", "DTAC_C3", "DTAC_C4", "DTAC_D", "DCB0129", "CSO"]
    codes += ["ICO", "DPO", "DPIA", "DSPT", "CE", "PENTEST", "WCAG22AA"]
    for code in codes:
        ComplianceFactory(
            product=product,
            standard=Standard.objects.get(code=code),
            expires_on=expires_on if code == "DSPT" else None,
        )


def test_spread_counts_each_organisation_once_from_its_first_confirmed_adoption():
    first, second = ProductFactory(), ProductFactory()
    leeds = OrganisationFactory(region=Region.NORTH_EAST_AND_YORKSHIRE)
    icb = OrganisationFactory(region=Region.LONDON, kind=OrganisationKind.ICB)
    AdoptionFactory(product=first, organisation=leeds, since=datetime.date(2024, 5, 1))
    AdoptionFactory(product=second, organisation=leeds, since=datetime.date(2022, 1, 1))
    AdoptionFactory(product=first, organisation=icb, since=datetime.date(2025, 2, 1))
    AdoptionFactory(product=second, organisation=OrganisationFactory(), confirmed=False)

    data = panels.spread(TODAY)

    assert rows(data, "over-time") == [
        [2022, 1, 1],
        [2023, 0, 1],
        [2024, 0, 1],
        [2025, 1, 2],
        [2026, 0, 2],
    ]
    by_region = {row[0]: row for row in rows(data, "by-region-and-kind")}
    kinds = [kind.value for kind in panels.NHS_KINDS]
    assert by_region["North East and Yorkshire"][1 + kinds.index("nhs_trust")] == 1
    assert by_region["London"][1 + kinds.index("icb")] == 1
    assert by_region["London"][-1] == 1 and by_region["South West"][-1] == 0
    assert rows(data, "by-product")[0][2:] == [2, 2]  # first: two organisations, two regions


def test_white_space_lists_regions_and_kinds_without_an_adopter_of_a_proven_product():
    proven, unproven = ProductFactory(), ProductFactory()
    pass_dtac(proven)
    AdoptionFactory(product=proven, organisation=OrganisationFactory(region=Region.LONDON))
    AdoptionFactory(product=unproven, organisation=OrganisationFactory(region=Region.NORTH_WEST))

    (row,) = [
        r for r in rows(panels.white_space(TODAY), "white-space") if r[0] == proven.category.name
    ]

    assert row[1] == 6 and "London" not in row[2] and "North West" in row[2]
    assert row[3] == len(panels.NHS_KINDS) - 1 and "NHS trust" not in row[4]


def test_ready_to_spread_scores_every_factor_as_documented():
    product = ProductFactory(esf_tier="C")
    pass_dtac(product)  # 15 rows met and current
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="ISO27001"),
        expires_on=TODAY - datetime.timedelta(days=1),
    )
    study = CaseStudyFactory(products=[product])
    for _ in range(3):
        OutcomeFactory(case_study=study)
    AdoptionFactory(product=product, organisation=OrganisationFactory(region=Region.LONDON))
    AdoptionFactory(product=product, organisation=OrganisationFactory(region=Region.LONDON))

    (entry,) = [p for p in panels.ready_to_spread(TODAY)["products"] if p["pk"] == product.pk]

    assert entry["dtac"] == "passed"
    assert (entry["standards_current"], entry["standards_total"]) == (15, 16)
    assert (entry["outcomes"], entry["adopters"], entry["regions"]) == (3, 2, 1)
    # C 10 + DTAC 30 + round(20 * 15/16) 19 + 3 outcomes 12, less 2 adopters and 1 region 3
    assert entry["score"] == 10 + 30 + 19 + 12 - 2 - 3


def test_compliance_health_windows_and_lapsing_dtac():
    product = ProductFactory()
    pass_dtac(product, expires_on=TODAY + datetime.timedelta(days=45))
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="ISO27001"),
        expires_on=TODAY + datetime.timedelta(days=10),
    )
    ComplianceFactory(
        product=ProductFactory(),
        standard=Standard.objects.get(code="DSPT"),
        expires_on=TODAY - datetime.timedelta(days=3),
    )

    data = panels.compliance_health(TODAY)

    lapsing = {row[0]: row[1:] for row in rows(data, "lapsing")}
    assert [counts for name, counts in lapsing.items() if "(ISO27001)" in name] == [[1, 0, 0]]
    assert [counts for name, counts in lapsing.items() if "(DSPT)" in name] == [[0, 1, 0]]
    assert [row[1] for row in rows(data, "lapsed") if "(DSPT)" in row[0]] == [1]
    assert rows(data, "dtac-lapsing") == [[product.title, "30 Jul 2026", 45]]


def test_percentile_and_pipeline_summary():
    assert panels.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert panels.percentile([], 0.9) is None
    from assessments.models import SubmissionStatus

    from ..assessments.factories import SubmissionFactory

    now = timezone.now()
    for days in (5, 10, 30):
        SubmissionFactory(
            status=SubmissionStatus.APPROVED,
            submitted_at=now - datetime.timedelta(days=days + 1),
            decided_at=now - datetime.timedelta(days=1),
        )
    summary = panels.assessment_pipeline(timezone.localdate())["summary"]
    assert (summary["decided"], summary["median_days"], summary["p90_days"]) == (3, 10, 30)
    assert summary["breaches"] == 1  # 30 days against the 20-day target


def test_unmet_demand_groups_forms_of_the_same_words():
    for query, found in [("copd app", 0), ("App COPD", 0), ("copd, app", 1), ("ward", 40)]:
        SearchQueryLog.objects.create(
            query=query, result_count=found, latency_ms=1, engine="database", channel="page"
        )

    groups = rows(panels.unmet_demand(timezone.localdate()), "groups")

    assert [row[:3] for row in groups] == [["copd app", 3, 2]]


def test_the_daily_job_stores_every_panel_with_its_time():
    from insight.models import PanelSnapshot
    from insight.tasks import refresh_insight_daily

    refresh_insight_daily.enqueue()

    stored = dict(PanelSnapshot.objects.values_list("panel", "computed_at"))
    assert set(stored) == set(panels.PANELS)
    assert all(timezone.now() - at < datetime.timedelta(minutes=5) for at in stored.values())
