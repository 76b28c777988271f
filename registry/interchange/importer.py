"""Reading a catalogue file into the registry.

Two passes. The first checks the whole file and plans every change without writing:
types and required keys (`schema`), references between records and to the registry's
standards, categories and care settings, and each record's own model validation
(`full_clean`), so the import refuses what the admin refuses. Every problem is collected
with its JSON path. Only a file with no problems reaches the second pass, which writes
inside one transaction; a failure there rolls everything back and is reported the same way.

Records are matched on their external id, so importing the same file again finds every
record unchanged and writes nothing. A record with no external id yet (one made in the
admin) is matched on its natural key instead — an organisation's ODS code or Companies House
number, a page's slug — and keeps the file's id from then on.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.log_actions import log
from wagtail.models import Locale, Page
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

from assessments.models import ProductCompliance, Standard
from registry.choices import OrganisationKind
from registry.models import (
    Adoption,
    CareSetting,
    CaseStudyIndexPage,
    CaseStudyOutcome,
    CaseStudyPage,
    CaseStudyProduct,
    Category,
    EvidenceItem,
    Organisation,
    ProductIndexPage,
    ProductPage,
)
from registry.validators import normalise_code

from .exporter import (
    RICH_TEXT_FIELDS,
    case_study_id,
    case_study_queryset,
    case_study_record,
    organisation_id,
    organisation_record,
    product_id,
    product_queryset,
    product_record,
    sorted_tags,
)
from .richtext import paragraphs_to_html, paragraphs_to_stream
from .schema import (
    ADOPTION,
    CASE_STUDY,
    COMPLIANCE,
    EVIDENCE,
    INVALID,
    ORGANISATION,
    OUTCOME,
    PRODUCT,
    SECTIONS,
    SPECS,
    ImportFailed,
    Problem,
    assemble,
    check_document,
    check_record,
    index_path,
    key_path,
    quoted,
    suggestion,
)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
LABELS = {"organisations": "organisations", "products": "products", "case_studies": "case studies"}
NOUNS = {"organisations": "organisation", "products": "product", "case_studies": "case study"}
INDEX_PAGES = {"products": ProductIndexPage, "case_studies": CaseStudyIndexPage}
ORGANISATION_CODES = {"ods_code": "ODS code", "companies_house_number": "Companies House number"}
TAG_NAME = Tag._meta.get_field("name")


def _no_progress(iterable, **kwargs):
    return iterable


def _db_key(pk):
    return ("db", pk)


# --- What the import will do -------------------------------------------------------------------


@dataclass
class Plan:
    """What happens to one record of the file."""

    section: str
    record: object  # a schema.CheckedRecord
    existing: object = None  # the matched database record, if any
    fresh: object = None  # an unsaved instance holding the file's values, validated
    matched_by: str = ""  # the natural key it was matched on, when it had no external id
    action: str = CREATED
    changed: list = field(default_factory=list)
    links: dict = field(default_factory=dict)  # what the writer needs beyond `fresh`

    @property
    def id(self):
        return self.record["id"]

    @property
    def path(self):
        return self.record.path

    @property
    def key(self):
        """How a reference to this record compares with one already in the database."""
        return _db_key(self.existing.pk) if self.existing else ("file", self.id)


@dataclass
class ImportReport:
    plans: list
    notes: list
    dry_run: bool
    #: Products that break a proof rule (imported anyway; --strict refuses them instead).
    warnings: list = field(default_factory=list)

    def counts(self, section):
        counter = Counter(plan.action for plan in self.plans if plan.section == section)
        return {action: counter[action] for action in (CREATED, UPDATED, UNCHANGED)}

    def summary_lines(self):
        lines = []
        for section, label in LABELS.items():
            counts = self.counts(section)
            lines.append(
                f"{label}: {counts[CREATED]} created, {counts[UPDATED]} updated, "
                f"{counts[UNCHANGED]} unchanged"
            )
        return lines

    def detail_lines(self):
        lines = []
        for plan in self.plans:
            if plan.action == UNCHANGED:
                continue
            line = f"{plan.action} {NOUNS[plan.section]} {plan.id}"
            if plan.action == UPDATED:
                line += f": {', '.join(plan.changed)}"
            lines.append(line)
        return lines

    @property
    def changes(self):
        return sum(plan.action != UNCHANGED for plan in self.plans)


def _file_order(problem):
    match = re.match(r"^\$\.(\w+)\[(\d+)\]", problem.path)
    if not match or match.group(1) not in SECTIONS:
        return (-1, 0)
    return (SECTIONS.index(match.group(1)), int(match.group(2)))


class _DependencyFailed(Exception):
    """A record points at one that could not be saved, whose error is already reported."""


# --- The import --------------------------------------------------------------------------------


class CatalogueImport:
    """Check a parsed catalogue document and, unless it has problems, write it."""

    def __init__(self, document, progress=None, strict=False):
        self.document = document
        self.progress = progress or _no_progress
        self.strict = strict
        self.warnings = []
        self.problems = []
        self.notes = []
        self.plans = {section: [] for section in SECTIONS}

    def run(self, dry_run=False):
        """An ImportReport; raises ImportFailed, having written nothing, on any problem."""
        self.check()
        if self.problems:
            raise ImportFailed(sorted(self.problems, key=_file_order))
        plans = [plan for section in SECTIONS for plan in self.plans[section]]
        report = ImportReport(plans, self.notes, dry_run, sorted(self.warnings, key=_file_order))
        if not dry_run and report.changes:
            self.write()
        return report

    def problem(self, path, message):
        self.problems.append(Problem(path, message))

    # --- First pass: check and plan ------------------------------------------------------------

    def check(self):
        sections = check_document(self.document, self.problems)
        records = [
            (name, check_record(SPECS[name], raw, index_path(f"$.{name}", index), self.problems))
            for name in SECTIONS
            for index, raw in enumerate(sections[name])
        ]
        self.load_registry([record for _, record in records])
        planners = {
            "organisations": self.plan_organisation,
            "products": self.plan_product,
            "case_studies": self.plan_case_study,
        }
        for name, record in self.progress(records, desc="Checking", unit="record"):
            planners[name](record)

    def load_registry(self, records):
        """Everything the checks look up, in a fixed number of queries."""
        organisation_ids, page_ids, tags = set(), set(), set()
        codes = {key: set() for key in ORGANISATION_CODES}

        def listed(values, key):
            return values[key] if isinstance(values.get(key), list) else []

        def note_organisation(ref):
            if ref is INVALID or ref is None:
                return
            if ref.ods_code is not None:
                codes["ods_code"].add(normalise_code(ref.ods_code))
            else:
                organisation_ids.add(ref.id)

        for record in records:
            values = record.values
            if record.ok("id"):
                page_ids.add(values["id"])
                organisation_ids.add(values["id"])
            for key in ORGANISATION_CODES:
                if isinstance(values.get(key), str):
                    code = normalise_code(values[key])
                    codes[key].update({code, code.zfill(8) if code.isdigit() else code})
            for key in ("supplier", "organisation"):
                note_organisation(values.get(key))
            for adoption in listed(values, "adoptions"):
                note_organisation(adoption["organisation"])
            page_ids.update(listed(values, "products"))
            for key in ("clinical_areas", "tags"):
                tags.update(name.casefold() for name in listed(values, key))

        organisations = Organisation.objects.all()
        self.db_organisations = {
            "id": {
                o.external_id: o for o in organisations.filter(external_id__in=organisation_ids)
            },
            **{
                key: {
                    getattr(o, key): o for o in organisations.filter(**{f"{key}__in": codes[key]})
                }
                for key in ORGANISATION_CODES
            },
        }
        names = {r.values.get("name") for r in records if isinstance(r.values.get("name"), str)}
        self.db_namesakes = {}
        for o in organisations.filter(name__in=names, external_id__isnull=True):
            self.db_namesakes.setdefault((o.name, o.kind), []).append(o)
        self.db_pages = {
            section: {page.external_id: page for page in queryset.filter(external_id__in=page_ids)}
            for section, queryset in (
                ("products", product_queryset()),
                ("case_studies", case_study_queryset()),
            )
        }
        self.indexes = {section: model.objects.first() for section, model in INDEX_PAGES.items()}
        self.siblings = {}  # section -> {slug: (pk, title, external id)}
        for section, index in self.indexes.items():
            siblings = {}
            if index is not None:
                external_ids = dict(
                    SPECS[section].model.objects.child_of(index).values_list("pk", "external_id")
                )
                children = Page.objects.child_of(index).values_list("pk", "slug", "title")
                for pk, slug, title in children:
                    siblings[slug] = (pk, title, external_ids.get(pk))
            self.siblings[section] = siblings
        self.categories = {c.slug: c for c in Category.objects.all()}
        self.care_settings = {c.slug: c for c in CareSetting.objects.all()}
        self.standards = {s.code: s for s in Standard.objects.all()}
        self.tag_names = {
            tag.folded: tag.name
            for tag in Tag.objects.annotate(folded=Lower("name")).filter(folded__in=tags)
        }
        self.default_locale = Locale.get_default()
        self.in_file = {section: {} for section in SECTIONS}  # id -> Plan
        self.codes_in_file = {key: {} for key in ORGANISATION_CODES}  # code -> Plan
        self.slugs_in_file = {section: {} for section in INDEX_PAGES}  # slug -> Plan
        self.claimed = set()  # organisations matched by a natural key

    def validate(self, instance, spec, path, attrs):
        """The model's own validation of `attrs`, each message filed under its key.

        Foreign keys are left out: the references were resolved against the registry
        already, and checking each again would cost a query per row.
        """
        exclude = [f.name for f in instance._meta.fields if f.name not in attrs or f.is_relation]
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            self.file_errors(exc, spec, path)

    def file_errors(self, exc, spec, path, prefix=""):
        for attr, messages in exc.message_dict.items():
            key = spec.key_for_attr(attr)
            for message in messages:
                self.problem(key_path(path, key) if key else path, prefix + message)

    def build(self, spec, record, instance=None, **values):
        """An unsaved instance holding the record's valid scalar values, validated."""
        instance = instance or spec.model()
        attrs = set(values)
        for f in spec.scalar_fields:
            if record.ok(f.key):
                setattr(instance, f.attr, record[f.key])
                attrs.add(f.attr)
        for attr, value in values.items():
            setattr(instance, attr, value)
        self.validate(instance, spec, record.path, attrs)
        return instance

    def register(self, plan):
        """Note the record's id; False if another record of its kind has it already."""
        record = plan.record
        self.plans[plan.section].append(plan)
        if not record.ok("id"):
            return False
        others = self.in_file[plan.section]
        if plan.id in others:
            self.problem(
                key_path(record.path, "id"),
                f"The id {quoted(plan.id)} is already used by {others[plan.id].path}. "
                f"Give every {NOUNS[plan.section]} its own id.",
            )
            return False
        others[plan.id] = plan
        return True

    def compare(self, plan, existing_record, desired):
        """Settle the plan's action: a record is unchanged when it would export as the file
        has it (and, for a page, is live)."""
        if plan.existing is None:
            plan.action = CREATED
            return
        plan.changed = [key for key in desired if existing_record.get(key) != desired[key]]
        if getattr(plan.existing, "live", True) is False:
            plan.changed.append("published")
        plan.action = UPDATED if plan.changed else UNCHANGED
        noun = f"{NOUNS[plan.section]} {plan.id}"
        if plan.matched_by and "id" in plan.changed:
            self.notes.append(
                f"{noun} matched the registry's record by {plan.matched_by}, as that record "
                "had no id yet; it takes the file's id."
            )
        if plan.action == UPDATED and getattr(plan.existing, "has_unpublished_changes", False):
            self.notes.append(
                f"{noun} has unpublished changes in the admin; the import publishes the "
                "file's version over them."
            )

    # Organisations ------------------------------------------------------------------------------

    def plan_organisation(self, record):
        plan = Plan("organisations", record)
        plan.fresh = self.build(ORGANISATION, record)
        if not self.register(plan):
            return
        plan.existing = self.db_organisations["id"].get(plan.id)
        for key, label in ORGANISATION_CODES.items():
            # Read back from the model, which normalises "rj1 " to "RJ1".
            code = getattr(plan.fresh, key) if record.ok(key) else None
            if not code:
                continue
            code_path = key_path(record.path, key)
            other = self.codes_in_file[key].get(code)
            if other:
                self.problem(
                    code_path,
                    f"The {label} {code} is also given to {other.path} (id {quoted(other.id)}). "
                    "List each organisation once and refer to it by its id.",
                )
                continue
            self.codes_in_file[key][code] = plan
            holder = self.db_organisations[key].get(code)
            if holder is None or holder == plan.existing:
                continue
            if plan.existing is None and not holder.external_id and holder.pk not in self.claimed:
                plan.existing, plan.matched_by = holder, f"{label} {code}"
                self.claimed.add(holder.pk)
                continue
            self.problem(
                code_path,
                f"The {label} {code} already belongs to {quoted(holder.name)} in the registry "
                f"(id {quoted(organisation_id(holder))}). If this is that organisation, use "
                "its id; otherwise correct the code.",
            )
        if plan.existing is None and record.ok("name", "kind"):
            # Failing a code, an organisation's full name and kind are its natural key, as
            # long as the registry's record has no code of its own that says otherwise.
            namesakes = [
                namesake
                for namesake in self.db_namesakes.get((record["name"], record["kind"]), [])
                if not any(getattr(namesake, key) for key in ORGANISATION_CODES)
            ]
            if len(namesakes) == 1 and namesakes[0].pk not in self.claimed:
                plan.existing, plan.matched_by = namesakes[0], "name"
                self.claimed.add(namesakes[0].pk)
        self.compare(
            plan,
            plan.existing and organisation_record(plan.existing, organisation_id(plan.existing)),
            organisation_record(plan.fresh, plan.id),
        )

    def resolve_organisation(self, ref, path):
        """(comparison key, kind, name) of the organisation a reference points at."""
        if ref.ods_code is not None:
            code = normalise_code(ref.ods_code)
            plan = self.codes_in_file["ods_code"].get(code)
            existing = self.db_organisations["ods_code"].get(code)
        else:
            plan = self.in_file["organisations"].get(ref.id)
            existing = self.db_organisations["id"].get(ref.id)
        if plan:
            return plan.key, plan.record["kind"], plan.record["name"]
        if existing:
            return _db_key(existing.pk), existing.kind, existing.name
        if ref.ods_code is not None:
            self.problem(
                path,
                f"No organisation has the ODS code {quoted(ref.ods_code)}, in this file or in "
                'the registry. Add it to "organisations", or correct the code.',
            )
        else:
            self.problem(
                path,
                f"No organisation has the id {quoted(ref.id)}, in this file or in the registry."
                f"{suggestion(ref.id, self.in_file['organisations'])} Add it to "
                '"organisations", or refer to it by ODS code: {"ods_code": "..."}.',
            )
        return None

    # Pages ----------------------------------------------------------------------------------------

    def plan_page(self, plan, title_key):
        """Match a product or case study page and settle its slug.

        A slug left out of the file keeps the page's current one, or for a new page is
        made from its title, as the admin would.
        """
        record, section = plan.record, plan.section
        registered = self.register(plan)
        if registered:
            plan.existing = self.db_pages[section].get(plan.id)
        given = record.ok("slug") and record["slug"] is not None
        if given:
            slug = record["slug"]
        elif plan.existing:
            slug = plan.existing.slug
        elif record.ok(title_key):
            slug = slugify(record[title_key], allow_unicode=True)
        else:
            record.invalid.add("slug")
            return
        record.values["slug"] = slug
        if not registered:
            return
        slug_path = key_path(record.path, "slug" if given else title_key)
        hint = 'give one a different "slug"' if given else 'give it a "slug"'
        other = self.slugs_in_file[section].get(slug)
        if other:
            self.problem(
                slug_path,
                f"The slug {quoted(slug)} is also used by {other.path}. Pages in one section "
                f"need different slugs: {hint}.",
            )
            return
        self.slugs_in_file[section][slug] = plan
        if self.indexes[section] is None:
            self.problem(
                record.path,
                f"The registry has no {INDEX_PAGES[section]._meta.verbose_name} to publish this "
                "under. Run `manage.py migrate`, which creates it.",
            )
            return
        sibling = self.siblings[section].get(slug)
        if sibling is None or (plan.existing and sibling[0] == plan.existing.pk):
            return
        pk, title, external_id = sibling
        if plan.existing is None and not external_id:
            queryset = product_queryset() if section == "products" else case_study_queryset()
            plan.existing, plan.matched_by = queryset.get(pk=pk), f"slug {slug}"
            return
        self.problem(
            slug_path,
            f"The slug {quoted(slug)} is already used by {quoted(title)} in the registry"
            + (f" (id {quoted(external_id)})" if external_id else "")
            + f". If this is that page, use its id; otherwise {hint}.",
        )

    def canonical_tags(self, record, key):
        names = []
        for index, name in enumerate(record[key] if record.ok(key) else []):
            try:
                TAG_NAME.clean(name, None)
            except ValidationError as exc:
                for message in exc.messages:
                    self.problem(index_path(key_path(record.path, key), index), message)
                continue
            # Tags ignore case: an existing "COPD" is reused for "copd", and stays "COPD".
            names.append(self.tag_names.setdefault(name.casefold(), name))
        return sorted_tags(names)

    # Products -------------------------------------------------------------------------------------

    def plan_product(self, record):
        plan = Plan("products", record)
        self.plan_page(plan, "name")
        plan.fresh = self.build(PRODUCT, record, ProductPage(locale=self.default_locale))
        given = {"id": record["id"], "description": record["description"]}

        if record.ok("supplier"):
            supplier_path = key_path(record.path, "supplier")
            supplier = self.resolve_organisation(record["supplier"], supplier_path)
            if supplier:
                key, kind, name = supplier
                if kind is not INVALID and kind != OrganisationKind.SUPPLIER:
                    self.problem(
                        supplier_path,
                        f"{quoted(name)} is not a supplier (its kind is {quoted(kind)}). A "
                        'product\'s supplier must be an organisation of kind "supplier".',
                    )
                given["supplier"] = plan.links["supplier"] = key

        if record.ok("category"):
            slug = record["category"]
            category = self.categories.get(slug)
            if category is None:
                self.problem(
                    key_path(record.path, "category"),
                    f"No category has the slug {quoted(slug)}.{suggestion(slug, self.categories)}"
                    f" Use one of: {', '.join(sorted(self.categories))}.",
                )
            given["category"] = slug
            plan.links["category"] = category

        care_settings = []
        for index, slug in enumerate(record["care_settings"] if record.ok("care_settings") else []):
            if slug not in self.care_settings:
                self.problem(
                    index_path(key_path(record.path, "care_settings"), index),
                    f"No care setting has the slug {quoted(slug)}."
                    f"{suggestion(slug, self.care_settings)} "
                    f"Use one of: {', '.join(sorted(self.care_settings))}.",
                )
                continue
            care_settings.append(self.care_settings[slug])
        plan.links["care_settings"] = care_settings
        given["care_settings"] = sorted(setting.slug for setting in care_settings)
        given["clinical_areas"] = plan.links["clinical_areas"] = self.canonical_tags(
            record, "clinical_areas"
        )

        evidence = [self.build(EVIDENCE, item) for item in self.rows(record, "evidence")]
        plan.links["evidence"] = evidence
        given["evidence"] = [assemble(EVIDENCE, row, {}) for row in evidence]

        compliance, seen = [], {}
        for item in self.rows(record, "compliance"):
            standard = self.resolve_standard(item, seen)
            row = self.build(COMPLIANCE, item, **({"standard": standard} if standard else {}))
            compliance.append(row)
        plan.links["compliance"] = compliance
        given["compliance"] = [
            assemble(COMPLIANCE, row, {"standard": row.standard.code if row.standard_id else None})
            for row in compliance
        ]

        adoptions, adopters, seen = [], [], {}
        for item in self.rows(record, "adoptions"):
            adopter = None
            if item.ok("organisation"):
                organisation_path = key_path(item.path, "organisation")
                adopter = self.resolve_organisation(item["organisation"], organisation_path)
                if adopter and adopter[0] in seen:
                    self.problem(
                        organisation_path,
                        f"{quoted(adopter[2])} is already listed at {seen[adopter[0]]}. "
                        "List each adopting organisation once.",
                    )
                elif adopter:
                    seen[adopter[0]] = item.path
            adoptions.append(self.build(ADOPTION, item))
            adopters.append(adopter[0] if adopter else None)
        plan.links.update(adoptions=adoptions, adopters=adopters)
        given["adoptions"] = [
            assemble(ADOPTION, row, {"organisation": adopter})
            for row, adopter in zip(adoptions, adopters, strict=True)
        ]

        self.compare(
            plan,
            plan.existing and product_record(plan.existing, product_id(plan.existing), _db_key),
            assemble(PRODUCT, plan.fresh, given),
        )
        self.check_proof_rules(plan)

    # Where in a product record each proof rule looks, for the warning's JSON path.
    RULE_KEYS = {
        "supplier": "supplier",
        "category": "category",
        "care_setting": "care_settings",
        "summary": "summary",
        "evidence": "evidence",
        "medical_device": "device_class",
        "personal_data": "compliance",
    }

    def check_proof_rules(self, plan):
        """A product the publishing rules (proof.rules) would refuse is a warning at its JSON
        path, or, with strict, a problem that stops the import."""
        from proof.loading import today
        from proof.rules import NOT_A_DEVICE, Listing, breaches, fact

        links, page = plan.links, plan.fresh
        category = links.get("category")
        facts = Listing(
            title=page.title,
            supplier=str(links.get("supplier") or ""),
            category=category.name if category else "",
            care_settings=tuple(setting.name for setting in links["care_settings"]),
            summary=page.summary or "",
            esf_tier=page.esf_tier or "",
            device_class=page.device_class or NOT_A_DEVICE,
            conformity_marking=page.conformity_marking or NOT_A_DEVICE,
            processes_personal_data=bool(page.processes_personal_data),
            evidence_types=tuple(item.evidence_type for item in links["evidence"]),
            rows=tuple(
                fact(row.standard.code, row.status, row.expires_on)
                for row in links["compliance"]
                if row.standard_id
            ),
        )
        for breach in breaches(facts, today()):
            path = key_path(plan.path, self.RULE_KEYS[breach.rule])
            if self.strict:
                self.problem(path, f"{breach.message} (a proof rule; --strict refuses it)")
            else:
                self.warnings.append(Problem(path, breach.message))

    @staticmethod
    def rows(record, key):
        return record[key] if record.ok(key) else []

    def resolve_standard(self, item, seen):
        if not item.ok("standard"):
            return None
        code, path = item["standard"], key_path(item.path, "standard")
        standard = self.standards.get(code)
        if standard is None:
            self.problem(
                path,
                f"No standard has the code {quoted(code)}.{suggestion(code, self.standards)} "
                "The codes are listed in the admin under Standards, such as DCB0129, DSPT "
                "or DTAC.",
            )
        elif code in seen:
            self.problem(
                path,
                f"{code} already has a row at {seen[code]}. Record one status per standard.",
            )
        else:
            seen[code] = item.path
        return standard

    # Case studies ---------------------------------------------------------------------------------

    def plan_case_study(self, record):
        plan = Plan("case_studies", record)
        self.plan_page(plan, "title")
        rich_text = {
            key: paragraphs_to_html(record[key]) for key in RICH_TEXT_FIELDS if record.ok(key)
        }
        plan.fresh = self.build(
            CASE_STUDY, record, CaseStudyPage(locale=self.default_locale), **rich_text
        )
        given = {"id": record["id"], **{key: record[key] for key in rich_text}}

        if record.ok("organisation"):
            organisation = self.resolve_organisation(
                record["organisation"], key_path(record.path, "organisation")
            )
            if organisation:
                given["organisation"] = plan.links["organisation"] = organisation[0]

        products = []
        for index, ref in enumerate(self.rows(record, "products")):
            key = self.resolve_product(ref, index_path(key_path(record.path, "products"), index))
            if key:
                products.append(key)
        given["products"] = plan.links["products"] = products
        given["tags"] = plan.links["tags"] = self.canonical_tags(record, "tags")

        outcomes = [self.build(OUTCOME, item) for item in self.rows(record, "outcomes")]
        plan.links["outcomes"] = outcomes
        given["outcomes"] = [assemble(OUTCOME, row, {}) for row in outcomes]

        self.compare(
            plan,
            plan.existing
            and case_study_record(plan.existing, case_study_id(plan.existing), _db_key, _db_key),
            assemble(CASE_STUDY, plan.fresh, given),
        )

    def resolve_product(self, ref, path):
        plan = self.in_file["products"].get(ref)
        if plan:
            return plan.key
        existing = self.db_pages["products"].get(ref)
        if existing:
            return _db_key(existing.pk)
        self.problem(
            path,
            f"No product has the id {quoted(ref)}, in this file or in the registry."
            f'{suggestion(ref, self.in_file["products"])} Add it to "products", or correct '
            "the id.",
        )
        return None

    # --- Second pass: write ------------------------------------------------------------------

    def write(self):
        self.created = {}  # (section, id) -> primary key of the record created for it
        writers = {
            "organisations": self.write_organisation,
            "products": self.write_product,
            "case_studies": self.write_case_study,
        }
        changing = [
            plan for section in SECTIONS for plan in self.plans[section] if plan.action != UNCHANGED
        ]
        # Saving a page saves each of its inline rows, and after every one of those saves
        # Wagtail rebuilds the whole page's reference index: with dozens of compliance rows
        # that was most of an import's time. So it is rebuilt once per record instead.
        with transaction.atomic(), disable_reference_index_auto_update():
            for plan in self.progress(changing, desc="Importing", unit="record"):
                try:
                    with transaction.atomic():
                        record = writers[plan.section](plan)
                        update_reference_index_task.enqueue(
                            record._meta.app_label, record._meta.model_name, str(record.pk)
                        )
                except _DependencyFailed:
                    pass
                except ValidationError as exc:
                    self.file_errors(exc, SPECS[plan.section], plan.path, "Could not be saved: ")
                except DatabaseError as exc:
                    self.problem(plan.path, f"Could not be saved: {exc}")
            if self.problems:
                raise ImportFailed(self.problems)

    def pk_for(self, section, key):
        if key[0] == "db":
            return key[1]
        if (section, key[1]) not in self.created:
            raise _DependencyFailed
        return self.created[(section, key[1])]

    @staticmethod
    def copy_scalars(spec, source, target):
        for f in spec.scalar_fields:
            setattr(target, f.attr, getattr(source, f.attr))

    def rows_for(self, model, spec, current, fresh_rows, match=None, **links):
        """The inline rows a page should have. Current rows are reused where they match (on
        `match`, or else by position), so that what the file does not carry, such as a
        compliance row's uploaded document, survives an update."""
        current = list(current)
        pool = {getattr(row, match): row for row in current} if match else {}
        rows = []
        for position, fresh in enumerate(fresh_rows):
            values = {attr: column[position] for attr, column in links.items()}
            if match:
                row = pool.pop(values[match], None)
            else:
                row = current[position] if position < len(current) else None
            row = row or model()
            if spec:
                self.copy_scalars(spec, fresh, row)
            for attr, value in values.items():
                setattr(row, attr, value)
            row.sort_order = position
            rows.append(row)
        return rows

    def write_organisation(self, plan):
        organisation = plan.existing or Organisation()
        self.copy_scalars(ORGANISATION, plan.fresh, organisation)
        organisation.full_clean()
        organisation.save()
        self.created[("organisations", plan.id)] = organisation.pk
        return organisation

    def load_page(self, plan, model, **fields):
        """The page to update, with the file's own fields set.

        A new page is first added as a draft holding just those fields, as the admin does
        on "Save draft"; its inline rows are then saved once, by publishing.
        """
        page = model.objects.get(pk=plan.existing.pk) if plan.existing else model(live=False)
        self.copy_scalars(SPECS[plan.section], plan.fresh, page)
        for attr, value in fields.items():
            setattr(page, attr, value)
        if plan.existing is None:
            self.indexes[plan.section].add_child(instance=page)
            log(instance=page, action="wagtail.create")
            self.created[(plan.section, plan.id)] = page.pk
        return page

    @staticmethod
    def changed_text(plan, converters):
        """Rich text to write: only what the file changes. Text whose words match the file
        keeps any formatting an editor gave it in the admin, which the file cannot carry."""
        return {
            key: convert(plan.record[key])
            for key, convert in converters.items()
            if plan.existing is None or key in plan.changed
        }

    @staticmethod
    def publish(page):
        page.save_revision(log_action=True).publish()

    def write_product(self, plan):
        links = plan.links
        page = self.load_page(
            plan,
            ProductPage,
            supplier_id=self.pk_for("organisations", links["supplier"]),
            category=links["category"],
            **self.changed_text(plan, {"description": paragraphs_to_stream}),
        )
        page.care_settings.set(links["care_settings"])
        page.clinical_areas.set(links["clinical_areas"])
        page.evidence = self.rows_for(
            EvidenceItem, EVIDENCE, page.evidence.all(), links["evidence"]
        )
        page.compliance = self.rows_for(
            ProductCompliance,
            COMPLIANCE,
            page.compliance.all(),
            links["compliance"],
            match="standard_id",
            standard_id=[row.standard_id for row in links["compliance"]],
        )
        page.adoptions = self.rows_for(
            Adoption,
            ADOPTION,
            page.adoptions.all(),
            links["adoptions"],
            match="organisation_id",
            organisation_id=[self.pk_for("organisations", key) for key in links["adopters"]],
        )
        self.publish(page)
        return page

    def write_case_study(self, plan):
        links = plan.links
        page = self.load_page(
            plan,
            CaseStudyPage,
            organisation_id=self.pk_for("organisations", links["organisation"]),
            **self.changed_text(plan, dict.fromkeys(RICH_TEXT_FIELDS, paragraphs_to_html)),
        )
        page.tags.set(links["tags"])
        page.product_links = self.rows_for(
            CaseStudyProduct,
            None,
            page.product_links.all(),
            links["products"],
            match="product_id",
            product_id=[self.pk_for("products", key) for key in links["products"]],
        )
        page.outcomes = self.rows_for(
            CaseStudyOutcome, OUTCOME, page.outcomes.all(), links["outcomes"]
        )
        self.publish(page)
        return page


def import_catalogue(document, dry_run=False, progress=None, strict=False):
    """Check `document` (parsed JSON) and, unless `dry_run`, write it. Returns an
    ImportReport; raises ImportFailed listing every problem, having written nothing. With
    `strict`, a product that breaks a proof rule is a problem, not a warning."""
    return CatalogueImport(document, progress=progress, strict=strict).run(dry_run=dry_run)
