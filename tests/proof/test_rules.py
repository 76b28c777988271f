"""Each proof rule on its own: pure functions of rows, listing facts and a day (no database)."""

import datetime
import random

import pytest

from proof import rules
from proof.rules import DtacState, fact

DAY = datetime.date(2026, 12, 3)
TOMORROW = DAY + datetime.timedelta(days=1)
YESTERDAY = DAY - datetime.timedelta(days=1)


def dtac_passing(expires_on=None, **overrides):
    """One met row per DTAC group; CODE=(status, expires_on) changes one, CODE=None drops it."""
    found = []
    for group in rules.DTAC_REQUIREMENTS:
        code = group[0]
        value = overrides.get(code, ("met", expires_on))
        if value is not None:
            found.append(fact(code, *value))
    return found


def listing(**changes):
    values = {
        "title": "WardWatch",
        "supplier": "Bedside Digital Ltd",
        "category": "Remote monitoring",
        "care_settings": ("Home",),
        "summary": "Monitors patients on virtual wards.",
        "esf_tier": "B",
        "device_class": "none",
        "conformity_marking": "none",
        "processes_personal_data": True,
        "evidence_types": ("observational",),
        "rows": tuple(dtac_passing()),
    }
    values.update(changes)
    return rules.Listing(**values)


def rule_codes(found):
    return [breach.rule for breach in found]


# --- Standards met and expired ---------------------------------------------------------------


def test_a_standard_is_met_through_its_expiry_day_and_expired_the_day_after():
    row = fact("DSPT", "met", DAY)
    assert rules.is_met_on(row, DAY)
    assert not rules.is_expired_on(row, DAY)
    assert not rules.is_met_on(row, TOMORROW)
    assert rules.is_expired_on(row, TOMORROW)


def test_the_compliance_row_reads_expiry_as_the_rules_do():
    """assessments sits below proof and keeps its own copy of the expiry test; they agree."""
    from assessments.models import ProductCompliance

    for expires_on in (None, YESTERDAY, DAY, TOMORROW):
        row = ProductCompliance(status="met", expires_on=expires_on)
        assert row.is_expired_on(DAY) == rules.is_expired_on(row, DAY)


def test_standards_met_count_leaves_out_the_dtac_and_anything_not_met_or_expired():
    rows = [
        fact("DTAC", "met"),
        fact("DTAC_C1", "met"),
        fact("DCB0129", "met"),
        fact("GP_CONNECT", "met", TOMORROW),
        fact("DSPT", "partially_met"),
        fact("CE", "met", YESTERDAY),
    ]
    assert rules.standards_met(rows, DAY) == ("DCB0129", "GP_CONNECT")
    assert rules.standards_expired(rows, DAY) == ("CE",)
    assert rules.standards_met(rows, TOMORROW + datetime.timedelta(days=1)) == ("DCB0129",)


# --- DTAC ----------------------------------------------------------------------------------------


def test_dtac_is_not_assessed_without_a_dtac_or_section_row():
    state = rules.dtac([fact("DCB0129", "met")], DAY)
    assert state.state == DtacState.NOT_ASSESSED
    assert state.label == "Not assessed"


def test_dtac_passes_only_with_every_section_and_what_it_rests_on():
    state = rules.dtac(dtac_passing(), DAY)
    assert state.passed
    assert state.valid_until is None


def test_a_dtac_row_typed_met_does_not_pass_when_a_dependency_is_not_met():
    state = rules.dtac(dtac_passing(DSPT=("not_met", None)), DAY)
    assert state.state == DtacState.NOT_PASSED
    assert state.reason == "Not met: DSPT."


def test_a_missing_section_means_not_passed():
    state = rules.dtac(dtac_passing(DTAC_C4=None), DAY)
    assert state.state == DtacState.NOT_PASSED
    assert "DTAC_C4" in state.reason


@pytest.mark.parametrize("code", ["DCB0129", "CSO", "ICO", "DPO", "DPIA", "DSPT", "WCAG22AA"])
def test_each_dependency_lapses_the_dtac_the_day_after_it_expires(code):
    rows = dtac_passing(**{code: ("met", DAY)})
    assert rules.dtac(rows, DAY).passed
    assert rules.dtac(rows, DAY).valid_until == DAY
    lapsed = rules.dtac(rows, TOMORROW)
    assert lapsed.state == DtacState.LAPSED
    assert lapsed.reason == f"Lapsed: {code} expired on 3 December 2026."


def test_cyber_essentials_plus_stands_in_for_cyber_essentials():
    rows = [*dtac_passing(CE=None), fact("CE_PLUS", "met", TOMORROW)]
    assert rules.dtac(rows, DAY).passed
    # Both current: the group holds until the later of the two.
    rows = [*dtac_passing(CE=("met", DAY)), fact("CE_PLUS", "met", TOMORROW)]
    assert rules.dtac(rows, TOMORROW).passed
    assert rules.dtac(rows, DAY).valid_until == TOMORROW


def test_something_never_met_outweighs_something_lapsed():
    rows = dtac_passing(PENTEST=("met", YESTERDAY), DPIA=("in_progress", None))
    state = rules.dtac(rows, DAY)
    assert state.state == DtacState.NOT_PASSED
    assert state.reason == "Not met: DPIA."


def test_a_section_reads_from_its_own_result_and_what_it_rests_on():
    rows = dtac_passing(PENTEST=("met", DAY))
    assert rules.dtac_section("DTAC_C3", rows, DAY).passed
    assert rules.dtac_section("DTAC_C3", rows, TOMORROW).state == DtacState.LAPSED
    assert rules.dtac_section("DTAC_C1", rows, TOMORROW).passed
    assert rules.dtac_section("DTAC_C4", rules_without(rows, "DTAC_C4"), DAY).state == (
        DtacState.NOT_ASSESSED
    )


def rules_without(rows, code):
    return [row for row in rows if row.standard.code != code]


@pytest.mark.parametrize(
    "rows",
    [
        dtac_passing(),
        dtac_passing(CE=("met", YESTERDAY)),
        dtac_passing(DPIA=("not_met", None)),
        dtac_passing(DTAC=None),
        [],
    ],
)
def test_rows_of_other_standards_never_change_the_dtac(rows):
    """The open data reads only the rows of DTAC_READS to work out the DTAC state."""
    others = [
        fact("ISO27001", "met"),
        fact("HL7V2", "not_met", YESTERDAY),
        fact("NHS_LOGIN", "met", YESTERDAY),
    ]
    assert not {row.standard.code for row in others} & rules.DTAC_READS
    assert rules.dtac([*others, *rows, *others], DAY) == rules.dtac(rows, DAY)


def test_the_last_passing_day_agrees_with_judging_every_day():
    """What the search index stores for the DTAC filter (one date) says "passed" on exactly
    the days dtac() does, for rows expiring on different days, alternatives, rows not met and
    groups missing."""
    rng = random.Random(7)
    codes = sorted({code for group in rules.DTAC_REQUIREMENTS for code in group})
    days = [DAY + datetime.timedelta(days=offset) for offset in range(-3, 12)]
    for _ in range(400):
        rows = []
        for code in codes:
            if rng.random() < 0.08:
                continue
            status = "met" if rng.random() < 0.85 else rng.choice(["not_met", "in_progress"])
            expires = None if rng.random() < 0.4 else DAY + datetime.timedelta(rng.randint(-2, 9))
            rows.append(fact(code, status, expires))
        until = rules.dtac_passed_until(rows)
        for day in days:
            passed = rules.dtac(rows, day).passed
            assert passed == (until is not None and until >= day), (rows, day, until)


def test_dtac_requirements_are_groups_of_alternative_codes_covering_every_section():
    assert all(isinstance(group, tuple) and group for group in rules.DTAC_REQUIREMENTS)
    codes = {code for group in rules.DTAC_REQUIREMENTS for code in group}
    assert {"DTAC", *rules.DTAC_SECTION_REQUIREMENTS} <= codes
    assert ("CE", "CE_PLUS") in rules.DTAC_REQUIREMENTS


# --- Publishing rules ---------------------------------------------------------------------


def test_a_complete_listing_breaks_no_rule():
    assert rules.breaches(listing(), DAY) == ()


def test_every_missing_item_is_listed_at_once():
    found = rules.breaches(
        listing(supplier="", category="", care_settings=(), summary="  ", evidence_types=()),
        DAY,
    )
    assert rule_codes(found) == ["supplier", "category", "care_setting", "summary", "evidence"]
    assert found[2].message == "Choose at least one care setting."
    assert found[3].message == "Enter the product's summary."


@pytest.mark.parametrize(
    ("tier", "fits", "does_not_fit"),
    [
        ("A", ["economic", "audit", "service_evaluation", "rct"], ["qualitative"]),
        ("B", ["observational", "real_world", "rct"], ["economic", "audit", "qualitative"]),
        ("C", ["rct", "non_randomised"], ["observational", "real_world", "service_evaluation"]),
    ],
)
def test_evidence_must_fit_the_esf_tier(tier, fits, does_not_fit):
    for kind in fits:
        assert "evidence" not in rule_codes(
            rules.breaches(listing(esf_tier=tier, evidence_types=(kind,)), DAY)
        ), kind
    found = rules.breaches(listing(esf_tier=tier, evidence_types=tuple(does_not_fit)), DAY)
    assert rule_codes(found) == ["evidence"]
    assert f"tier {tier}" in found[0].message


def test_a_medical_device_needs_its_marking_and_mhra_registration():
    found = rules.breaches(listing(device_class="IIa"), DAY)
    assert rule_codes(found) == ["medical_device"]
    assert found[0].message == (
        "A class IIa medical device must state its UKCA or CE marking. A class IIa medical "
        "device needs MHRA, UKCA_CE met and unexpired."
    )
    rows = (*dtac_passing(), fact("MHRA", "met"), fact("UKCA_CE", "met", DAY))
    device = listing(device_class="I", conformity_marking="ukca", rows=rows)
    assert rules.breaches(device, DAY) == ()
    lapsed = rules.breaches(device, TOMORROW)
    assert rule_codes(lapsed) == ["medical_device"]
    assert lapsed[0].since == TOMORROW  # exact: the day after the marking expired


def test_personal_data_needs_ico_dpo_dpia_and_dspt():
    found = rules.breaches(listing(rows=()), DAY)
    assert rule_codes(found) == ["personal_data"]
    assert "ICO, DPO, DPIA, DSPT" in found[0].message
    assert found[0].since is None  # never met: only a record of first sight can say when
    assert rules.breaches(listing(rows=(), processes_personal_data=False), DAY) == ()


def test_values_are_frozen():
    state = rules.dtac(dtac_passing(), DAY)
    with pytest.raises(AttributeError):
        state.state = DtacState.NOT_PASSED
    assert rules.RULES_BY_CODE["evidence"].name == "Evidence for the ESF tier"
