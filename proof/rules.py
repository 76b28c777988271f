"""What each badge means: the rules behind "proven", in one place.

Every surface that shows a badge (the product page, lists, compare, the CSV and frozen
records, the API, the search documents and both search engines) reads these rules; none
defines a badge a second time. docs/proof-rules.md states them in plain words.

The rules are pure: they take compliance rows (anything with ``standard.code``,
``status`` and ``expires_on``) and a day, and do no I/O, so a badge can be worked out the
same way in Python, in SQL and in an Elasticsearch query.

DTAC is derived, not typed. A product's DTAC state is "passed" on a day only while every
group below has one standard met and unexpired on that day: the DTAC row itself, each of
its sections, and the standards each section rests on. A group lists alternatives (a
current Cyber Essentials or Cyber Essentials Plus).
"""

import datetime
from dataclasses import dataclass

MET = "met"

#: Which standards each DTAC section rests on. The DTAC itself asks, per section:
#: C1 a clinical risk management system to DCB0129 with a named Clinical Safety Officer;
#: C2 ICO registration, a Data Protection Officer, a DPIA and a DSPT at "standards met";
#: C3 Cyber Essentials (or Plus) and an independent penetration test;
#: C4 evidence of the interoperability the product claims (no one standard for all);
#: D  WCAG 2.2 AA.
DTAC_SECTION_REQUIREMENTS = {
    "DTAC_C1": (("DCB0129",), ("CSO",)),
    "DTAC_C2": (("ICO",), ("DPO",), ("DPIA",), ("DSPT",)),
    "DTAC_C3": (("CE", "CE_PLUS"), ("PENTEST",)),
    "DTAC_C4": (),
    "DTAC_D": (("WCAG22AA",),),
}

#: Every group that must hold for DTAC to read "passed": the whole, each section, and each
#: section's dependencies. Search engines turn this into one filter (every group has a code
#: met until at least today).
DTAC_REQUIREMENTS = (
    ("DTAC",),
    *((section,) for section in DTAC_SECTION_REQUIREMENTS),
    *(group for groups in DTAC_SECTION_REQUIREMENTS.values() for group in groups),
)


class DtacState:
    PASSED = "passed"
    LAPSED = "lapsed"
    NOT_PASSED = "not_passed"
    NOT_ASSESSED = "not_assessed"

    LABELS = {
        PASSED: "Passed",
        LAPSED: "Lapsed",
        NOT_PASSED: "Not passed",
        NOT_ASSESSED: "Not assessed",
    }


@dataclass(frozen=True)
class Dtac:
    state: str
    reason: str
    #: The last day the state stays "passed" with no change to the rows (None: no expiry).
    valid_until: datetime.date | None = None

    @property
    def label(self):
        return DtacState.LABELS[self.state]

    @property
    def passed(self):
        return self.state == DtacState.PASSED


def is_met_on(row, day):
    return (
        row is not None and row.status == MET and (row.expires_on is None or row.expires_on >= day)
    )


def dtac(rows, day):
    """The product's DTAC state on ``day``, with the reason in words."""
    by_code = {row.standard.code: row for row in rows}
    if "DTAC" not in by_code and not any(code in by_code for code in DTAC_SECTION_REQUIREMENTS):
        return Dtac(DtacState.NOT_ASSESSED, "The product has not been assessed against the DTAC.")
    unmet, lapsed, expiries = [], [], []
    for group in DTAC_REQUIREMENTS:
        rows_in_group = [by_code[code] for code in group if code in by_code]
        current = [row for row in rows_in_group if is_met_on(row, day)]
        if current:
            expiries.extend(row.expires_on for row in current if row.expires_on)
            continue
        met_but_expired = [row for row in rows_in_group if row.status == MET]
        (lapsed if met_but_expired else unmet).append((group, met_but_expired))
    if not unmet and not lapsed:
        return Dtac(
            DtacState.PASSED,
            "Every DTAC section and the standards behind it are met.",
            min(expiries) if expiries else None,
        )
    if unmet:
        names = ", ".join(" or ".join(group) for group, _ in unmet)
        return Dtac(DtacState.NOT_PASSED, f"Not met: {names}.")
    parts = [
        f"{row.standard.code} expired on {row.expires_on:%-d %B %Y}"
        for _, rows_ in lapsed
        for row in rows_[:1]
    ]
    return Dtac(DtacState.LAPSED, "Lapsed: " + "; ".join(parts) + ".")
