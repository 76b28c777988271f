"""What each badge means and what a listing needs: the rules behind "proven", in one place.

Every surface that shows a badge (the product page, lists, compare, the CSV and frozen
records, the feeds, the API, the search documents and both search engines) reads these
rules; none defines a badge a second time. docs/proof-rules.md states them in plain words,
and the admin's "Proof rules" page lists them from the same data (``RULES``).

The rules are pure: they take compliance rows (anything with ``standard.code``,
``status`` and ``expires_on``), the facts of a listing and a day, do no I/O, and return
frozen values. So a badge is worked out the same way on the product page, in a CSV, in an
SQL filter and in an Elasticsearch query, and it changes by itself when a date passes:
no job, no reindex.

DTAC is derived, not typed. A product's DTAC state is "passed" on a day only while every
group in ``DTAC_REQUIREMENTS`` has one standard met and unexpired on that day: the DTAC
row itself, each of its sections, and the standards each section rests on. A group lists
alternatives (a current Cyber Essentials or Cyber Essentials Plus).
"""

import datetime
from dataclasses import dataclass

MET = "met"

# --- Standards ------------------------------------------------------------------------------

#: Which standards each DTAC section rests on, from the questions the DTAC form asks:
#: C1 clinical safety: a clinical risk management system that complies with DCB0129, with
#:    a named Clinical Safety Officer (DCB0129, CSO). MHRA registration is asked only of
#:    medical devices, so it is a publishing rule by device class, not a DTAC dependency.
#: C2 data protection: registration with the ICO, a named Data Protection Officer, a DPIA,
#:    and the Data Security and Protection Toolkit at "standards met" (ICO, DPO, DPIA, DSPT).
#: C3 technical security: a current Cyber Essentials certificate (Plus satisfies it) and an
#:    independent penetration test within the last 12 months (CE or CE_PLUS, PENTEST).
#: C4 interoperability: evidence of the interoperability the product claims. No one
#:    standard applies to every product, so the section rests on its own result only.
#: D  usability and accessibility: conformance with WCAG 2.2 level AA (WCAG22AA).
DTAC_SECTION_REQUIREMENTS = {
    "DTAC_C1": (("DCB0129",), ("CSO",)),
    "DTAC_C2": (("ICO",), ("DPO",), ("DPIA",), ("DSPT",)),
    "DTAC_C3": (("CE", "CE_PLUS"), ("PENTEST",)),
    "DTAC_C4": (),
    "DTAC_D": (("WCAG22AA",),),
}

#: Every group that must hold for DTAC to read "passed": the whole, each section, and each
#: section's dependencies. A tuple of groups of alternative codes: the search engines turn it
#: into one filter (every group has a code met until at least today).
DTAC_REQUIREMENTS = (
    ("DTAC",),
    *((section,) for section in DTAC_SECTION_REQUIREMENTS),
    *(group for groups in DTAC_SECTION_REQUIREMENTS.values() for group in groups),
)

#: The DTAC and its sections: their state is derived, shown as the DTAC badge, and not
#: counted among "standards met".
DTAC_CODES = frozenset(("DTAC", *DTAC_SECTION_REQUIREMENTS))

#: Every code ``dtac`` reads: rows of other standards never change the DTAC state or its
#: reason, so a caller may hand it only these.
DTAC_READS = DTAC_CODES | frozenset(code for group in DTAC_REQUIREMENTS for code in group)


@dataclass(frozen=True)
class StandardRef:
    code: str


@dataclass(frozen=True)
class Fact:
    """A compliance row from anywhere (the index builder's values, an import file), in the
    shape the rules read: ``standard.code``, ``status``, ``expires_on``."""

    standard: StandardRef
    status: str
    expires_on: datetime.date | None = None


def fact(code, status, expires_on=None):
    return Fact(StandardRef(code), status, expires_on)


def is_expired_on(row, day):
    """A row whose expiry date has passed reads "expired" whatever its recorded status."""
    return row.expires_on is not None and row.expires_on < day


def is_met_on(row, day):
    return row is not None and row.status == MET and not is_expired_on(row, day)


EXPIRED = "expired"


def effective_status(row, day):
    """The status the public reads on ``day``: "expired" once the expiry date has passed,
    otherwise the status as assessed (proof.queries.effective_status is the same in SQL)."""
    return EXPIRED if is_expired_on(row, day) else row.status


def standards_met(rows, day):
    """The codes of the standards met and unexpired on ``day``: what "N standards met"
    counts everywhere. The DTAC is not among them: it has its own badge."""
    return tuple(
        sorted(
            {
                row.standard.code
                for row in rows
                if row.standard.code not in DTAC_CODES and is_met_on(row, day)
            }
        )
    )


def standards_expired(rows, day):
    """The codes of the standards whose expiry date had passed by ``day``."""
    return tuple(sorted({row.standard.code for row in rows if is_expired_on(row, day)}))


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
    CHOICES = tuple(LABELS.items())


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

    @property
    def lapsed(self):
        return self.state == DtacState.LAPSED


def _judge(groups, by_code, day, passed_reason):
    """Passed while every group has a row met on ``day``; lapsed when the only thing missing
    is rows that were met and have expired; not passed otherwise."""
    unmet, lapsed, expiries = [], [], []
    for group in groups:
        rows_in_group = [by_code[code] for code in group if code in by_code]
        current = [row for row in rows_in_group if is_met_on(row, day)]
        if current:
            # The group holds until the last of its current alternatives expires.
            ends = [row.expires_on for row in current]
            if all(ends):
                expiries.append(max(ends))
            continue
        met_but_expired = [row for row in rows_in_group if row.status == MET]
        (lapsed if met_but_expired else unmet).append((group, met_but_expired))
    if not unmet and not lapsed:
        return Dtac(DtacState.PASSED, passed_reason, min(expiries) if expiries else None)
    if unmet:
        names = ", ".join(" or ".join(group) for group, _ in unmet)
        return Dtac(DtacState.NOT_PASSED, f"Not met: {names}.")
    parts = [
        f"{row.standard.code} expired on {row.expires_on:%-d %B %Y}"
        for _, rows_ in lapsed
        for row in sorted(rows_, key=lambda row: row.expires_on)[-1:]
    ]
    return Dtac(DtacState.LAPSED, "Lapsed: " + "; ".join(parts) + ".")


def dtac(rows, day):
    """The product's DTAC state on ``day``, with the reason in words."""
    by_code = {row.standard.code: row for row in rows}
    if not DTAC_CODES & by_code.keys():
        return Dtac(DtacState.NOT_ASSESSED, "The product has not been assessed against the DTAC.")
    return _judge(
        DTAC_REQUIREMENTS, by_code, day, "Every DTAC section and the standards behind it are met."
    )


def dtac_passed_until(rows):
    """The last day ``dtac(rows, day)`` reads "passed" on, with no change to the rows (the
    rows' MET_FOREVER stand-in: a ``datetime.date.max`` when nothing expires); None when no
    day passes (a group has no standard met, expired or not).

    Every group holds while its longest-lasting alternative met lasts, so DTAC passes on
    exactly the days up to the earliest of those. The search index stores this one date, and
    its filter compares it with the day of the search (search.query.dtac_passed_clause):
    the same answer as judging every group on that day, in one comparison.
    """
    by_code = {row.standard.code: row for row in rows}
    ends = []
    for group in DTAC_REQUIREMENTS:
        met = [by_code[code] for code in group if code in by_code and by_code[code].status == MET]
        if not met:
            return None
        ends.append(max(row.expires_on or datetime.date.max for row in met))
    return min(ends)


def dtac_section(section, rows, day):
    """One DTAC section's state on ``day``: its own result and the standards it rests on."""
    by_code = {row.standard.code: row for row in rows}
    if section not in by_code:
        return Dtac(DtacState.NOT_ASSESSED, "This section has not been assessed.")
    groups = ((section,), *DTAC_SECTION_REQUIREMENTS[section])
    return _judge(groups, by_code, day, "The section and the standards behind it are met.")


# --- Evidence: the NICE Evidence Standards Framework ------------------------------------------

#: Which evidence types can support each ESF tier. Tier A (system services) asks for evidence
#: of the benefit to the system, so any evaluation of use or cost fits, but not a qualitative
#: study alone. Tier B (understanding and communicating about health) asks for evidence of
#: positive outcomes from use in the intended setting: an observational study, a real-world
#: or service evaluation, or a comparative study. Tier C (interventions, diagnosis, guiding
#: care) asks for a high-quality intervention study, experimental or quasi-experimental: a
#: randomised trial or a non-randomised comparative study.
ESF_TIER_EVIDENCE = {
    "A": (
        "rct",
        "non_randomised",
        "observational",
        "real_world",
        "economic",
        "service_evaluation",
        "audit",
    ),
    "B": ("rct", "non_randomised", "observational", "real_world", "service_evaluation"),
    "C": ("rct", "non_randomised"),
}

# --- Regulation: what a device class and personal data call for --------------------------------

#: Any medical device (class I and above) must be registered with the MHRA and carry UKCA
#: or CE marking; the same standards for every class, since the class changes who certifies
#: the marking (self-declared for class I, an approved body above), not whether it is needed.
MEDICAL_DEVICE_REQUIREMENTS = (("MHRA",), ("UKCA_CE",))

#: A product that processes patient or service user data is registered with the ICO, has a
#: named Data Protection Officer, a DPIA for the processing, and a DSPT at "standards met".
PERSONAL_DATA_REQUIREMENTS = (("ICO",), ("DPO",), ("DPIA",), ("DSPT",))

NOT_A_DEVICE = "none"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    #: The rule in plain words, as the admin and docs/proof-rules.md state it.
    text: str


SUPPLIER = "supplier"
CATEGORY = "category"
CARE_SETTING = "care_setting"
SUMMARY = "summary"
EVIDENCE = "evidence"
MEDICAL_DEVICE = "medical_device"
PERSONAL_DATA = "personal_data"


def _codes(groups):
    return ", ".join(" or ".join(group) for group in groups)


#: What a listing needs to be published, and to stay live without appearing on the
#: consistency report.
RULES = (
    Rule(SUPPLIER, "Supplier", "The listing names the supplier that makes and supports it."),
    Rule(CATEGORY, "Category", "The listing has a category."),
    Rule(CARE_SETTING, "Care setting", "The listing names at least one care setting."),
    Rule(SUMMARY, "Summary", "The listing has a summary."),
    Rule(
        EVIDENCE,
        "Evidence for the ESF tier",
        "At least one evidence item of a type that can support the product's NICE ESF tier: "
        + "; ".join(f"tier {tier}: {', '.join(types)}" for tier, types in ESF_TIER_EVIDENCE.items())
        + ".",
    ),
    Rule(
        MEDICAL_DEVICE,
        "Medical device",
        "A medical device (class I or above) states its UKCA or CE marking and has "
        f"{_codes(MEDICAL_DEVICE_REQUIREMENTS)} met and unexpired.",
    ),
    Rule(
        PERSONAL_DATA,
        "Personal data",
        "A product that processes patient or service user data has "
        f"{_codes(PERSONAL_DATA_REQUIREMENTS)} met and unexpired.",
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Listing:
    """The facts of a product listing the rules read, whatever they were loaded from (a
    page, a draft in the editor, an import file)."""

    title: str
    supplier: str
    category: str
    care_settings: tuple
    summary: str
    esf_tier: str
    device_class: str
    conformity_marking: str
    processes_personal_data: bool
    evidence_types: tuple
    rows: tuple


@dataclass(frozen=True)
class Breach:
    rule: str
    message: str
    #: The day the listing started breaking the rule, when the rows say so exactly (the day
    #: after a required standard expired); None when only a record of first sight can tell.
    since: datetime.date | None = None

    @property
    def rule_name(self):
        return RULES_BY_CODE[self.rule].name


def _missing_standards(groups, rows, day):
    """(the groups not met on ``day``, the day they stopped being met if every one of them
    was met and expired, else None)."""
    by_code = {}
    for row in rows:
        by_code[row.standard.code] = row
    missing, ended = [], []
    for group in groups:
        rows_in_group = [by_code[code] for code in group if code in by_code]
        if any(is_met_on(row, day) for row in rows_in_group):
            continue
        missing.append(group)
        expired = [row.expires_on for row in rows_in_group if row.status == MET]
        ended.append(max(expired) + datetime.timedelta(days=1) if expired else None)
    since = max(ended) if missing and all(ended) else None
    return missing, since


def _standard_breach(rule, groups, rows, day, what):
    missing, since = _missing_standards(groups, rows, day)
    if not missing:
        return None
    return Breach(rule, f"{what} needs {_codes(missing)} met and unexpired.", since)


def breaches(listing, day):
    """Every rule ``listing`` breaks on ``day``, in the order of ``RULES``."""
    found = []
    if not listing.supplier:
        found.append(Breach(SUPPLIER, "Choose the supplier."))
    if not listing.category:
        found.append(Breach(CATEGORY, "Choose a category."))
    if not listing.care_settings:
        found.append(Breach(CARE_SETTING, "Choose at least one care setting."))
    if not (listing.summary or "").strip():
        found.append(Breach(SUMMARY, "Enter the product's summary."))
    fitting = ESF_TIER_EVIDENCE.get(listing.esf_tier, ())
    if not any(kind in fitting for kind in listing.evidence_types):
        if listing.esf_tier in ESF_TIER_EVIDENCE:
            message = (
                f"Add an evidence item that can support NICE ESF tier {listing.esf_tier} "
                f"({', '.join(fitting)})."
            )
        else:
            message = "Choose the NICE ESF tier and add evidence that supports it."
        found.append(Breach(EVIDENCE, message))
    if listing.device_class and listing.device_class != NOT_A_DEVICE:
        what = f"A class {listing.device_class} medical device"
        breach = _standard_breach(
            MEDICAL_DEVICE, MEDICAL_DEVICE_REQUIREMENTS, listing.rows, day, what
        )
        if listing.conformity_marking in ("", NOT_A_DEVICE):
            marking = f"{what} must state its UKCA or CE marking."
            breach = Breach(
                MEDICAL_DEVICE, f"{marking} {breach.message}" if breach else marking, None
            )
        if breach:
            found.append(breach)
    if listing.processes_personal_data:
        breach = _standard_breach(
            PERSONAL_DATA,
            PERSONAL_DATA_REQUIREMENTS,
            listing.rows,
            day,
            "A product that processes patient data",
        )
        if breach:
            found.append(breach)
    return tuple(found)


# --- What a card shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What a product card shows buyers: the DTAC state, the ESF tier, how many
    organisations use it, and the standards met and expired, all on one day."""

    dtac: Dtac
    esf_tier: str
    adopters: int
    standards_met: tuple
    standards_expired: tuple

    @property
    def standards_met_count(self):
        return len(self.standards_met)

    @property
    def standards_expired_count(self):
        return len(self.standards_expired)

    def as_dict(self):
        """Plain values, for JSON and for search results (templates read either alike)."""
        return {
            "dtac": {
                "state": self.dtac.state,
                "label": self.dtac.label,
                "reason": self.dtac.reason,
                "valid_until": self.dtac.valid_until,
            },
            "esf_tier": self.esf_tier,
            "adopters": self.adopters,
            "standards_met": list(self.standards_met),
            "standards_met_count": self.standards_met_count,
            "standards_expired": list(self.standards_expired),
            "standards_expired_count": self.standards_expired_count,
        }


def standing(rows, day, esf_tier, adopters):
    rows = tuple(rows)
    return Standing(
        dtac=dtac(rows, day),
        esf_tier=esf_tier,
        adopters=adopters,
        standards_met=standards_met(rows, day),
        standards_expired=standards_expired(rows, day),
    )
