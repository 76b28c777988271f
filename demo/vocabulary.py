"""The words demo data is made of: clinical areas, what products in each category do, and
the names of places, organisations and people. The words themselves are data, in
vocabulary.toml beside this module; this module says what each record holds and reads the
file once, on first use: `vocabulary.CLINICAL_AREAS`, `vocabulary.FIRST_NAMES` and every
other name in the file are its attributes.

Names of real places and of the 42 integrated care boards are used so the demo reads like
the NHS; every code, company and person is invented. Web and email addresses use the
reserved `.example` top-level domain, so demo data can never send mail to, or link to,
a real organisation.
"""

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("vocabulary.toml")


@dataclass(frozen=True)
class Outcome:
    """A measure a product can move, with a plausible starting range and improvement."""

    metric: str
    unit: str
    low: float
    high: float
    lower_is_better: bool = True
    # Relative improvement range, as fractions of the starting value.
    min_change: float = 0.08
    max_change: float = 0.35
    decimals: int = 0


@dataclass(frozen=True)
class ClinicalArea:
    tag: str  # the clinical-area tag, as users type it
    people: str  # who the product is for
    team: str  # who uses it with them
    signal: str  # what is measured or recorded
    therapy: str  # what a digital therapy or self-management programme delivers
    test: str  # what a diagnostic tool reads; empty if none fits the area
    risk: str  # what population health tools try to prevent
    stems: tuple[str, ...]  # product-name stems
    care_settings: tuple[str, ...]  # care-setting slugs where it is usually used
    outcomes: tuple[Outcome, ...]
    related_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CategoryProfile:
    tiers: dict  # NICE ESF tier -> weight
    device_share: float  # share of tier C products that are medical devices
    areas: tuple[str, ...]  # clinical-area tags this kind of product serves; () means any
    care_settings: tuple[str, ...]
    deployment: dict
    pricing: dict
    adopters: dict  # organisation kind -> weight
    interop: tuple[str, ...]  # standards codes that matter for this kind of product
    patient_facing: bool
    endings: tuple[str, ...]  # product-name endings
    summaries: tuple[str, ...]
    features: tuple[str, ...]
    cqc_share: float = 0.0  # share that also provide a regulated service themselves
    needs_test: bool = False  # only areas with something to read (a scan, an image)


@dataclass(frozen=True)
class Guide:
    title: str
    summary: str
    sections: tuple[tuple[str, str], ...]  # (heading, paragraph)
    tags: tuple[str, ...]
    categories: tuple[str, ...] = ()  # category slugs of related products
    featured: bool = False
    steps: tuple[str, ...] = field(default=())


def _tuples(value):
    """The file's arrays as tuples, as the planner reads them (and hashes some)."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


def _area(record):
    return ClinicalArea(**{**record, "outcomes": tuple(Outcome(**o) for o in record["outcomes"])})


@cache
def words():
    """Every name in vocabulary.toml, with its records as the dataclasses above."""
    data = _tuples(tomllib.loads(WORDS_FILE.read_text(encoding="utf-8")))

    def profile(record):
        # `adopters` and `deployment` may name one of the file's weight tables.
        named = {
            key: data[record[key]]
            for key in ("adopters", "deployment")
            if isinstance(record[key], str)
        }
        return CategoryProfile(**{**record, **named})

    data["CLINICAL_AREAS"] = tuple(_area(record) for record in data["CLINICAL_AREAS"])
    data["AREAS_BY_TAG"] = {area.tag: area for area in data["CLINICAL_AREAS"]}
    data["OPERATIONAL_OUTCOMES"] = {
        outcome.metric: outcome for outcome in (Outcome(**o) for o in data["OPERATIONAL_OUTCOMES"])
    }
    data["CATEGORY_PROFILES"] = {
        slug: profile(record) for slug, record in data["CATEGORY_PROFILES"].items()
    }
    data["GENERIC_PROFILE"] = profile(data["GENERIC_PROFILE"])
    data["GUIDES"] = tuple(Guide(**record) for record in data["GUIDES"])
    return data


def __getattr__(name):
    """`vocabulary.NAME`: the words of that name in vocabulary.toml."""
    try:
        return words()[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
