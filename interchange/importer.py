"""Reading a catalogue file into the registry.

Two passes. The first checks the whole file and plans every change without writing, in
parts with one job each: reading and type-checking (`schema`), each record's own model
validation (`building`, `full_clean`, so the import refuses what the admin refuses),
matching records to the registry's (`matching`), resolving references between records and
to the registry's standards, categories and care settings (`references`), and the proof
rules' warnings (`rule_check`). Every problem is collected with its JSON path. Only a file
with no problems reaches the second pass (`writer.CatalogueWriter`), which writes inside one
transaction; a failure there rolls everything back and is reported the same way. `plans`
holds what the first pass decides for each record and the report both passes give back.
This module puts the parts together, record by record.

Records are matched on their external id, so importing the same file again finds every
record unchanged and writes nothing. A record with no external id yet (one made in the
admin) is matched on its natural key instead — an organisation's ODS code or Companies House
number, a page's slug — and keeps the file's id from then on.
"""

from registry.choices import OrganisationKind
from registry.models import CaseStudyPage, ProductPage

from .building import RecordBuilder
from .exporter import (
    RICH_TEXT_FIELDS,
    case_study_id,
    case_study_record,
    organisation_id,
    organisation_record,
    product_id,
    product_record,
)
from .lookup import RegistrySnapshot
from .matching import RecordMatcher
from .plans import ImportReport, Plan, db_key, file_order
from .references import ReferenceResolver, rows
from .richtext import paragraphs_to_html
from .rule_check import rule_breaches
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
)
from .writer import CatalogueWriter


def _no_progress(iterable, **kwargs):
    return iterable


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
        self.builder = RecordBuilder(self.problems)

    def run(self, dry_run=False):
        """An ImportReport; raises ImportFailed, having written nothing, on any problem."""
        self.check()
        if self.problems:
            raise ImportFailed(sorted(self.problems, key=file_order))
        plans = [plan for section in SECTIONS for plan in self.plans[section]]
        report = ImportReport(plans, self.notes, dry_run, sorted(self.warnings, key=file_order))
        if not dry_run and report.changes:
            CatalogueWriter(plans, self.registry.indexes, self.progress).write()
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
        self.registry = RegistrySnapshot([record for _, record in records])
        self.matcher = RecordMatcher(self.registry, self.problems, self.notes)
        self.resolve = ReferenceResolver(self.registry, self.matcher, self.problems)
        planners = {
            "organisations": self.plan_organisation,
            "products": self.plan_product,
            "case_studies": self.plan_case_study,
        }
        for name, record in self.progress(records, desc="Checking", unit="record"):
            plan = Plan(name, record)
            self.plans[name].append(plan)
            planners[name](plan)

    def build(self, spec, record, instance=None, **values):
        return self.builder.build(spec, record, instance, **values)

    # Organisations ------------------------------------------------------------------------------

    def plan_organisation(self, plan):
        plan.fresh = self.build(ORGANISATION, plan.record)
        if not self.matcher.register(plan):
            return
        self.matcher.match_organisation(plan)
        self.matcher.settle_action(
            plan,
            plan.existing and organisation_record(plan.existing, organisation_id(plan.existing)),
            organisation_record(plan.fresh, plan.id),
        )

    # Products -------------------------------------------------------------------------------------

    def plan_product(self, plan):
        record = plan.record
        self.matcher.match_page(plan, "name")
        plan.fresh = self.build(PRODUCT, record, ProductPage(locale=self.registry.default_locale))
        given = {"id": record["id"], "description": record["description"]}
        if record.ok("supplier"):
            self.plan_supplier(plan, given)
        if record.ok("category"):
            given["category"] = record["category"]
            plan.links["category"] = self.resolve.category(record)
        care_settings = self.resolve.care_settings(record)
        plan.links["care_settings"] = care_settings
        given["care_settings"] = sorted(setting.slug for setting in care_settings)
        given["clinical_areas"] = plan.links["clinical_areas"] = self.resolve.tags(
            record, "clinical_areas"
        )
        evidence = [self.build(EVIDENCE, item) for item in rows(record, "evidence")]
        plan.links["evidence"] = evidence
        given["evidence"] = [assemble(EVIDENCE, row, {}) for row in evidence]
        self.plan_compliance(plan, given)
        self.plan_adoptions(plan, given)
        self.matcher.settle_action(
            plan,
            plan.existing and product_record(plan.existing, product_id(plan.existing), db_key),
            assemble(PRODUCT, plan.fresh, given),
        )
        self.check_proof_rules(plan)

    def plan_supplier(self, plan, given):
        supplier_path = key_path(plan.path, "supplier")
        supplier = self.resolve.organisation(plan.record["supplier"], supplier_path)
        if supplier:
            key, kind, name = supplier
            if kind is not INVALID and kind != OrganisationKind.SUPPLIER:
                self.problem(
                    supplier_path,
                    f"{quoted(name)} is not a supplier (its kind is {quoted(kind)}). A "
                    'product\'s supplier must be an organisation of kind "supplier".',
                )
            given["supplier"] = plan.links["supplier"] = key

    def plan_compliance(self, plan, given):
        compliance, seen = [], {}
        for item in rows(plan.record, "compliance"):
            standard = self.resolve.standard(item, seen)
            row = self.build(COMPLIANCE, item, **({"standard": standard} if standard else {}))
            compliance.append(row)
        plan.links["compliance"] = compliance
        given["compliance"] = [
            assemble(COMPLIANCE, row, {"standard": row.standard.code if row.standard_id else None})
            for row in compliance
        ]

    def plan_adoptions(self, plan, given):
        adoptions, adopters, seen = [], [], {}
        for item in rows(plan.record, "adoptions"):
            adopter = None
            if item.ok("organisation"):
                organisation_path = key_path(item.path, "organisation")
                adopter = self.resolve.organisation(item["organisation"], organisation_path)
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

    def check_proof_rules(self, plan):
        """A product the publishing rules (proof.rules) would refuse is a warning at its JSON
        path, or, with strict, a problem that stops the import."""
        for path, message in rule_breaches(plan):
            if self.strict:
                self.problem(path, f"{message} (a proof rule; --strict refuses it)")
            else:
                self.warnings.append(Problem(path, message))

    # Case studies ---------------------------------------------------------------------------------

    def plan_case_study(self, plan):
        record = plan.record
        self.matcher.match_page(plan, "title")
        rich_text = {
            key: paragraphs_to_html(record[key]) for key in RICH_TEXT_FIELDS if record.ok(key)
        }
        plan.fresh = self.build(
            CASE_STUDY, record, CaseStudyPage(locale=self.registry.default_locale), **rich_text
        )
        given = {"id": record["id"], **{key: record[key] for key in rich_text}}
        if record.ok("organisation"):
            organisation = self.resolve.organisation(
                record["organisation"], key_path(record.path, "organisation")
            )
            if organisation:
                given["organisation"] = plan.links["organisation"] = organisation[0]
        products_path = key_path(record.path, "products")
        products = [
            key
            for index, ref in enumerate(rows(record, "products"))
            if (key := self.resolve.product(ref, index_path(products_path, index)))
        ]
        given["products"] = plan.links["products"] = products
        given["tags"] = plan.links["tags"] = self.resolve.tags(record, "tags")
        outcomes = [self.build(OUTCOME, item) for item in rows(record, "outcomes")]
        plan.links["outcomes"] = outcomes
        given["outcomes"] = [assemble(OUTCOME, row, {}) for row in outcomes]
        self.matcher.settle_action(
            plan,
            plan.existing
            and case_study_record(plan.existing, case_study_id(plan.existing), db_key, db_key),
            assemble(CASE_STUDY, plan.fresh, given),
        )


def import_catalogue(document, dry_run=False, progress=None, strict=False):
    """Check `document` (parsed JSON) and, unless `dry_run`, write it. Returns an
    ImportReport; raises ImportFailed listing every problem, having written nothing. With
    `strict`, a product that breaks a proof rule is a problem, not a warning."""
    return CatalogueImport(document, progress=progress, strict=strict).run(dry_run=dry_run)
