"""The shape of a catalogue file: which fields each record has, their JSON types, and how a
value converts between JSON and the model.

This module checks only what JSON itself can get wrong (types, required keys, unknown keys,
dates, enum values taken from the model's own choices). Everything else — lengths, ODS and
Companies House numbers, expiry after assessment — is left to the models' `full_clean`, so
an import refuses exactly what the admin refuses.
"""

import datetime
import difflib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from assessments.models import ProductCompliance
from registry.models import (
    Adoption,
    CaseStudyOutcome,
    CaseStudyPage,
    EvidenceItem,
    Organisation,
    ProductPage,
)

FORMAT_NAME = "nhs-registry-catalogue"
FORMAT_VERSION = 1
SECTIONS = ("organisations", "products", "case_studies")

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, at a JSONPath such as `$.products[3].summary`."""

    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


class ImportFailed(Exception):
    """The file cannot be imported. Carries every problem found, in file order."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the file")


class _Invalid:
    """Stands in for a value that failed its check, so later checks can skip it."""

    def __repr__(self):
        return "INVALID"


INVALID = _Invalid()


def key_path(path, key):
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def index_path(path, index):
    return f"{path}[{index}]"


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def quoted(value):
    return json.dumps(value, ensure_ascii=False)


def suggestion(value, candidates):
    """' Did you mean "x"?' for a near miss, ignoring case, or ''."""
    if not isinstance(value, str):
        return ""
    by_folded = {candidate.casefold(): candidate for candidate in candidates}
    close = difflib.get_close_matches(value.casefold(), list(by_folded), n=1, cutoff=0.75)
    return f" Did you mean {quoted(by_folded[close[0]])}?" if close else ""


# --- Reading JSON ------------------------------------------------------------------------------


class JsonObject(dict):
    """A JSON object that remembers keys the file gave twice (json keeps only the last)."""

    duplicate_keys = ()


def _object_with_duplicates(pairs):
    obj = JsonObject()
    duplicates = []
    for key, value in pairs:
        if key in obj and key not in duplicates:
            duplicates.append(key)
        obj[key] = value
    obj.duplicate_keys = tuple(duplicates)
    return obj


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


MAX_NESTING = 32  # the format nests 5 deep; deeper is a broken or hostile file
MAX_TEXT_PROBLEMS = 50


def parse_json(text):
    """The document in `text`, or ImportFailed naming the line and column of the fault, or
    the JSON path of text no record may hold (bad encoding, control characters) and of
    nesting deeper than the format ever needs.

    Numbers with a fraction are read as Decimal, so 6.1 stays 6.1 on its way to a
    DecimalField.
    """
    try:
        document = json.loads(
            text,
            object_pairs_hook=_object_with_duplicates,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [
                Problem(
                    "$",
                    f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, "
                    f"column {exc.colno}. Fix the syntax there (a missing comma or quote, "
                    "or a trailing comma, is the usual cause).",
                )
            ]
        ) from exc
    except RecursionError as exc:
        raise ImportFailed([_too_deep("$")]) from exc
    except ValueError as exc:
        raise ImportFailed([Problem("$", f"The file is not valid JSON: {exc}.")]) from exc
    problems = check_text(document)
    if problems:
        raise ImportFailed(problems)
    return document


def _too_deep(path):
    return Problem(
        path,
        f"The file nests more than {MAX_NESTING} levels deep here; a catalogue file never "
        "needs that. Check how the file was made.",
    )


def _text_problem(path, text):
    from bad_input.text import bad_characters, describe

    found = bad_characters(text)
    if found is None:
        return None
    if 0xD800 <= ord(found) <= 0xDFFF:
        return Problem(
            path,
            f"The text has a broken character ({describe(found)}, half of a character "
            "pair): the file was not saved as UTF-8 correctly. Save it again as UTF-8.",
        )
    return Problem(
        path,
        f"The text contains a control character ({describe(found)}), which no field may "
        "hold. Remove it.",
    )


def check_text(document):
    """Problems with their JSON paths: text (values and keys) with control characters or
    lone surrogates, and nesting past MAX_NESTING. Walks without recursion."""
    problems = []
    stack = [("$", document, 0)]
    while stack and len(problems) < MAX_TEXT_PROBLEMS:
        path, value, depth = stack.pop()
        if isinstance(value, str):
            problem = _text_problem(path, value)
            if problem:
                problems.append(problem)
            continue
        if isinstance(value, dict | list) and depth >= MAX_NESTING:
            problems.append(_too_deep(path))
            continue
        if isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                problem = _text_problem(path, key)
                if problem:
                    problems.append(
                        Problem(path, f"A field name is not valid text. {problem.message}")
                    )
                    continue
                stack.append((key_path(path, key), item, depth + 1))
        elif isinstance(value, list):
            for index in reversed(range(len(value))):
                stack.append((index_path(path, index), value[index], depth + 1))
    return problems


# --- Value kinds --------------------------------------------------------------------------------


class Kind:
    """How one field's JSON value is checked on the way in and written on the way out."""

    expected = "a value"
    scalar = True  # copied to and from a model attribute as is
    unquoted = False  # written without quotes in JSON, so "21" is a likely slip

    def check(self, value, path, problems):
        return value

    def dump(self, value):
        return value

    def wrong_type(self, value, path, problems):
        hint = " Write it without quotes." if isinstance(value, str) and self.unquoted else ""
        problems.append(Problem(path, f"Expected {self.expected}, got {json_type(value)}.{hint}"))
        return INVALID


class Text(Kind):
    expected = "text"

    def check(self, value, path, problems):
        if not isinstance(value, str):
            return self.wrong_type(value, path, problems)
        return value


class Identifier(Text):
    expected = "text (the record's id)"

    def check(self, value, path, problems):
        value = super().check(value, path, problems)
        if value is not INVALID and not value.strip():
            problems.append(Problem(path, "The id cannot be empty. Give every record an id."))
            return INVALID
        return value


class Choice(Text):
    """One of a model field's stored choice values, such as "nhs_trust"."""

    def __init__(self, model, field_name, label):
        model_field = model._meta.get_field(field_name)
        self.values = [value for value, _ in model_field.choices]
        self.allow_blank = model_field.blank
        self.label = label

    @property
    def expected(self):
        return f"one of {', '.join(quoted(v) for v in self.values)}"

    def check(self, value, path, problems):
        if not isinstance(value, str):
            return self.wrong_type(value, path, problems)
        if value in self.values or (value == "" and self.allow_blank):
            return value
        problems.append(
            Problem(
                path,
                f"{quoted(value)} is not a {self.label}.{suggestion(value, self.values)} "
                f"Use one of: {', '.join(self.values)}"
                + (", or leave it out." if self.allow_blank else "."),
            )
        )
        return INVALID


class Date(Kind):
    expected = "a date written YYYY-MM-DD"

    def check(self, value, path, problems):
        if not isinstance(value, str):
            return self.wrong_type(value, path, problems)
        try:
            if not DATE_RE.match(value):
                raise ValueError
            return datetime.date.fromisoformat(value)
        except ValueError:
            problems.append(
                Problem(path, f"{quoted(value)} is not a date. Write dates as YYYY-MM-DD.")
            )
            return INVALID

    def dump(self, value):
        return value.isoformat() if value else None


class Integer(Kind):
    expected = "a whole number"
    unquoted = True

    def check(self, value, path, problems):
        if isinstance(value, bool) or not isinstance(value, int):
            return self.wrong_type(value, path, problems)
        return value


class Number(Kind):
    expected = "a number"
    unquoted = True

    def check(self, value, path, problems):
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return self.wrong_type(value, path, problems)
        return Decimal(value)

    def dump(self, value):
        if value is None:
            return None
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else float(value)


class Boolean(Kind):
    expected = "true or false"
    unquoted = True

    def check(self, value, path, problems):
        if not isinstance(value, bool):
            return self.wrong_type(value, path, problems)
        return value


class TextList(Kind):
    """A list of distinct strings: slugs, codes, tag names or record ids."""

    scalar = False
    expected = "a list of text"

    def __init__(self, noun, min_items=0, ignore_case=False):
        self.noun = noun
        self.min_items = min_items
        self.ignore_case = ignore_case

    def check(self, value, path, problems):
        if not isinstance(value, list):
            return self.wrong_type(value, path, problems)
        items, seen, ok = [], {}, True
        for index, item in enumerate(value):
            item_path = index_path(path, index)
            if not isinstance(item, str) or not item.strip():
                problems.append(
                    Problem(item_path, f"Expected a {self.noun} as text, got {json_type(item)}.")
                    if not isinstance(item, str)
                    else Problem(item_path, f"The {self.noun} is empty. Remove it.")
                )
                ok = False
                continue
            folded = item.casefold() if self.ignore_case else item
            if folded in seen:
                problems.append(
                    Problem(
                        item_path,
                        f"{quoted(item)} is already listed at [{seen[folded]}]"
                        + (" (case is ignored)" if self.ignore_case else "")
                        + ". List each one once.",
                    )
                )
                ok = False
                continue
            seen[folded] = index
            items.append(item)
        if ok and len(items) < self.min_items:
            problems.append(Problem(path, f"Give at least {self.min_items} {self.noun}."))
            ok = False
        return items if ok else INVALID


class Paragraphs(Kind):
    """Plain-text paragraphs; the importer turns each into an HTML paragraph."""

    scalar = False
    expected = "a list of paragraphs (text)"

    def check(self, value, path, problems):
        if not isinstance(value, list):
            return self.wrong_type(value, path, problems)
        ok = True
        for index, item in enumerate(value):
            if not isinstance(item, str):
                problems.append(
                    Problem(
                        index_path(path, index),
                        f"Expected a paragraph as text, got {json_type(item)}.",
                    )
                )
                ok = False
            elif not item.strip():
                problems.append(
                    Problem(index_path(path, index), "The paragraph is empty. Remove it.")
                )
                ok = False
        return list(value) if ok else INVALID


@dataclass(frozen=True)
class OrganisationRef:
    """How a record points at an organisation: its id, or its ODS code."""

    id: str | None = None
    ods_code: str | None = None


class OrganisationReference(Kind):
    scalar = False
    expected = 'an organisation id, or {"ods_code": "..."}'

    def check(self, value, path, problems):
        if isinstance(value, str) and value.strip():
            return OrganisationRef(id=value)
        if isinstance(value, dict):
            if set(value) != {"ods_code"} or not isinstance(value["ods_code"], str):
                problems.append(
                    Problem(
                        path,
                        'An organisation given as an object needs exactly one key, "ods_code", '
                        'with text, such as {"ods_code": "RJ1"}. Otherwise give its id.',
                    )
                )
                return INVALID
            return OrganisationRef(ods_code=value["ods_code"])
        return self.wrong_type(value, path, problems)


class Reference(Text):
    """A record in another list or table, by its id, code or slug."""

    scalar = False

    def __init__(self, expected):
        self.expected = expected


class Records(Kind):
    scalar = False

    def __init__(self, spec):
        self.spec = spec
        self.expected = f"a list of {spec.plural}"

    def check(self, value, path, problems):
        if not isinstance(value, list):
            return self.wrong_type(value, path, problems)
        return [
            check_record(self.spec, item, index_path(path, index), problems)
            for index, item in enumerate(value)
        ]


# --- Records ----------------------------------------------------------------------------------


_REQUIRED = object()


@dataclass(frozen=True)
class Field:
    key: str
    kind: Kind
    default: object = _REQUIRED
    attr: str | None = None  # the model attribute it is stored in, when there is one

    @property
    def required(self):
        return self.default is _REQUIRED

    def default_value(self):
        return list(self.default) if isinstance(self.default, list | tuple) else self.default


@dataclass(frozen=True)
class RecordSpec:
    noun: str
    plural: str
    model: type
    fields: tuple = field(default_factory=tuple)

    @property
    def keys(self):
        return [f.key for f in self.fields]

    def key_for_attr(self, attr):
        for f in self.fields:
            if f.attr == attr:
                return f.key
        return None

    @property
    def scalar_fields(self):
        return [f for f in self.fields if f.attr and f.kind.scalar]


@dataclass
class CheckedRecord:
    """A record whose JSON types are right, with defaults filled in."""

    path: str
    values: dict
    invalid: set  # keys whose value failed a check (their value is INVALID)

    def __getitem__(self, key):
        return self.values[key]

    def ok(self, *keys):
        return not any(key in self.invalid for key in keys)


def check_record(spec, data, path, problems):
    """Check one record's keys and types. Always returns a CheckedRecord, however broken."""
    if not isinstance(data, dict):
        problems.append(
            Problem(path, f"Expected a {spec.noun} as a JSON object, got {json_type(data)}.")
        )
        return CheckedRecord(path, dict.fromkeys(spec.keys, INVALID), set(spec.keys))
    for key in getattr(data, "duplicate_keys", ()):
        problems.append(
            Problem(
                key_path(path, key),
                f"{quoted(key)} is given twice in this {spec.noun}. Give it once.",
            )
        )
    for key in data:
        if key not in spec.keys:
            problems.append(
                Problem(
                    key_path(path, key),
                    f"A {spec.noun} has no field {quoted(key)}.{suggestion(key, spec.keys)} "
                    f"Its fields are: {', '.join(spec.keys)}.",
                )
            )
    values, invalid = {}, set()
    for f in spec.fields:
        field_path = key_path(path, f.key)
        if f.key not in data:
            if f.required:
                problems.append(
                    Problem(field_path, f"Missing. Every {spec.noun} needs {quoted(f.key)}.")
                )
                values[f.key] = INVALID
                invalid.add(f.key)
            else:
                values[f.key] = f.default_value()
            continue
        raw = data[f.key]
        if raw is None and not f.required:
            values[f.key] = f.default_value()
            continue
        if raw is None:
            problems.append(
                Problem(field_path, f"Cannot be null: every {spec.noun} needs {quoted(f.key)}.")
            )
            value = INVALID
        else:
            value = f.kind.check(raw, field_path, problems)
        values[f.key] = value
        if value is INVALID:
            invalid.add(f.key)
    return CheckedRecord(path, values, invalid)


def check_document(document, problems):
    """Check the envelope; returns {section: [raw records]} for the sections present."""
    if not isinstance(document, dict):
        problems.append(
            Problem(
                "$",
                f"Expected the file to hold a JSON object, got {json_type(document)}. "
                f'Start it with {{"format": "{FORMAT_NAME}", "version": {FORMAT_VERSION}, ...}}.',
            )
        )
        return {name: [] for name in SECTIONS}
    for key in getattr(document, "duplicate_keys", ()):
        problems.append(Problem(key_path("$", key), f"{quoted(key)} is given twice. Give it once."))
    allowed = ("format", "version", *SECTIONS)
    for key in document:
        if key not in allowed:
            problems.append(
                Problem(
                    key_path("$", key),
                    f"Unknown top-level field {quoted(key)}.{suggestion(key, allowed)} "
                    f"The file's fields are: {', '.join(allowed)}.",
                )
            )
    if document.get("format") != FORMAT_NAME:
        given = "missing" if "format" not in document else f"{quoted(document['format'])}"
        problems.append(
            Problem(
                "$.format",
                f"Expected {quoted(FORMAT_NAME)}, got {given}. This does not look like a "
                "registry catalogue file; see docs/import-format.md.",
            )
        )
    version = document.get("version")
    if isinstance(version, bool) or version != FORMAT_VERSION:
        given = "missing" if "version" not in document else quoted(version)
        hint = (
            " The file is from a newer registry: export it as version "
            f"{FORMAT_VERSION}, or upgrade this one."
            if isinstance(version, int)
            and not isinstance(version, bool)
            and version > FORMAT_VERSION
            else ""
        )
        problems.append(
            Problem(
                "$.version",
                f"Expected version {FORMAT_VERSION} (a number), got {given}. This registry "
                f"reads version {FORMAT_VERSION} only.{hint}",
            )
        )
    sections = {}
    for name in SECTIONS:
        value = document.get(name, [])
        if value is None:
            value = []
        if not isinstance(value, list):
            problems.append(
                Problem(key_path("$", name), f"Expected a list, got {json_type(value)}.")
            )
            value = []
        sections[name] = value
    return sections


# --- The three record types and their parts ------------------------------------------------

ORGANISATION = RecordSpec(
    "organisation",
    "organisations",
    Organisation,
    (
        Field("id", Identifier(), attr="external_id"),
        Field("name", Text(), attr="name"),
        Field("kind", Choice(Organisation, "kind", "kind of organisation"), attr="kind"),
        Field("ods_code", Text(), None, attr="ods_code"),
        Field("companies_house_number", Text(), None, attr="companies_house_number"),
        Field("region", Choice(Organisation, "region", "NHS England region"), "", attr="region"),
        Field("website", Text(), "", attr="website"),
    ),
)

EVIDENCE = RecordSpec(
    "evidence item",
    "evidence items",
    EvidenceItem,
    (
        Field(
            "evidence_type",
            Choice(EvidenceItem, "evidence_type", "type of evidence"),
            attr="evidence_type",
        ),
        Field("title", Text(), attr="title"),
        Field("year", Integer(), attr="year"),
        Field("summary", Text(), attr="summary"),
        Field("outcomes", Text(), "", attr="outcomes"),
        Field("link", Text(), "", attr="link"),
    ),
)

COMPLIANCE = RecordSpec(
    "compliance row",
    "compliance rows",
    ProductCompliance,
    (
        Field("standard", Reference("a standard code, such as DCB0129"), attr="standard"),
        Field("status", Choice(ProductCompliance, "status", "compliance status"), attr="status"),
        Field("assessed_on", Date(), None, attr="assessed_on"),
        Field("expires_on", Date(), None, attr="expires_on"),
        Field("evidence_url", Text(), "", attr="evidence_url"),
        Field("notes", Text(), "", attr="notes"),
    ),
)

ADOPTION = RecordSpec(
    "adoption",
    "adoptions",
    Adoption,
    (
        Field("organisation", OrganisationReference(), attr="organisation"),
        Field("since", Date(), None, attr="since"),
        Field("scale", Choice(Adoption, "scale", "scale of adoption"), attr="scale"),
        Field("confirmed", Boolean(), False, attr="confirmed"),
        Field("contact_email", Text(), "", attr="contact_email"),
    ),
)

PRODUCT = RecordSpec(
    "product",
    "products",
    ProductPage,
    (
        Field("id", Identifier(), attr="external_id"),
        Field("name", Text(), attr="title"),
        Field("slug", Text(), None, attr="slug"),
        Field("supplier", OrganisationReference(), attr="supplier"),
        Field("summary", Text(), attr="summary"),
        Field("description", Paragraphs(), [], attr="description"),
        Field("category", Reference("a category slug"), attr="category"),
        Field("care_settings", TextList("care setting slug", min_items=1), attr="care_settings"),
        Field(
            "clinical_areas",
            TextList("clinical area", ignore_case=True),
            [],
            attr="clinical_areas",
        ),
        Field("esf_tier", Choice(ProductPage, "esf_tier", "NICE ESF tier"), attr="esf_tier"),
        Field(
            "device_class",
            Choice(ProductPage, "device_class", "medical device class"),
            "none",
            attr="device_class",
        ),
        Field(
            "conformity_marking",
            Choice(ProductPage, "conformity_marking", "UKCA/CE marking"),
            "none",
            attr="conformity_marking",
        ),
        Field(
            "processes_personal_data",
            Boolean(),
            True,
            attr="processes_personal_data",
        ),
        Field(
            "pricing_model",
            Choice(ProductPage, "pricing_model", "pricing model"),
            attr="pricing_model",
        ),
        Field(
            "deployment_model",
            Choice(ProductPage, "deployment_model", "deployment model"),
            attr="deployment_model",
        ),
        Field("website", Text(), "", attr="website"),
        Field("last_reviewed_on", Date(), None, attr="last_reviewed_on"),
        Field("evidence", Records(EVIDENCE), []),
        Field("compliance", Records(COMPLIANCE), []),
        Field("adoptions", Records(ADOPTION), []),
    ),
)

OUTCOME = RecordSpec(
    "outcome",
    "outcomes",
    CaseStudyOutcome,
    (
        Field("metric", Text(), attr="metric"),
        Field("before", Number(), attr="before"),
        Field("after", Number(), attr="after"),
        Field("unit", Text(), attr="unit"),
        Field("period", Text(), "", attr="period"),
    ),
)

CASE_STUDY = RecordSpec(
    "case study",
    "case studies",
    CaseStudyPage,
    (
        Field("id", Identifier(), attr="external_id"),
        Field("title", Text(), attr="title"),
        Field("slug", Text(), None, attr="slug"),
        Field("organisation", OrganisationReference(), attr="organisation"),
        Field("products", TextList("product id", min_items=1)),
        Field("summary", Text(), attr="summary"),
        Field("challenge", Paragraphs(), attr="challenge"),
        Field("solution", Paragraphs(), attr="solution"),
        Field("costs", Paragraphs(), [], attr="costs"),
        Field("lessons_learnt", Paragraphs(), [], attr="lessons_learnt"),
        Field("outcomes", Records(OUTCOME), []),
        Field("contact_name", Text(), "", attr="contact_name"),
        Field("contact_role", Text(), "", attr="contact_role"),
        Field("contact_email", Text(), "", attr="contact_email"),
        Field("published_on", Date(), attr="published_on"),
        Field("tags", TextList("tag", ignore_case=True), [], attr="tags"),
    ),
)

SPECS = {"organisations": ORGANISATION, "products": PRODUCT, "case_studies": CASE_STUDY}


def assemble(spec, instance, given):
    """A record in the file's shape and key order.

    Scalar fields are read from `instance` through their kind's `dump`; everything else
    (ids, references, lists, paragraphs) comes from `given`. The exporter and the importer
    both build records here, which is what makes "unchanged" mean "would export the same".
    """
    record = {}
    for f in spec.fields:
        if f.key in given:
            record[f.key] = given[f.key]
        elif f.kind.scalar:
            record[f.key] = f.kind.dump(getattr(instance, f.attr))
        else:
            record[f.key] = None
    return record
