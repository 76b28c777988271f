"""Reading a catalogue file into the registry.

Two passes. The first checks the whole file and plans every change without writing:
types and required keys (`schema`), references between records and to the registry's
standards, categories and care settings, and each record's own model validation
(`full_clean`), so the import refuses what the admin refuses. Every problem is collected
with its JSON path. Only a file with no problems reaches the second pass
(`writer.CatalogueWriter`), which writes inside one transaction; a failure there rolls
everything back and is reported the same way. `plans` holds what the first pass decides for
each record and the report both passes give back.

Records are matched on their external id, so importing the same file again finds every
record unchanged and writes nothing. A record with no external id yet (one made in the
admin) is matched on its natural key instead — an organisation's ODS code or Companies House
number, a page's slug — and keeps the file's id from then on.
"""

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from taggit.models import Tag

from registry.choices import OrganisationKind
from registry.models import (
    CaseStudyPage,
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
from .lookup import INDEX_PAGES, ORGANISATION_CODES, RegistrySnapshot
from .plans import (
    CREATED,
    NOUNS,
    UNCHANGED,
    UPDATED,
    ImportReport,
    Plan,
    add_file_errors,
    db_key,
    file_order,
)
from .richtext import paragraphs_to_html
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
from .writer import CatalogueWriter

TAG_NAME = Tag._meta.get_field("name")


def _no_progress(iterable, **kwargs):
    return iterable


# --- The import -------------------------------------------------------------------------------


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
        self.in_file = {section: {} for section in SECTIONS}  # id -> Plan
        self.codes_in_file = {key: {} for key in ORGANISATION_CODES}  # code -> Plan
        self.slugs_in_file = {section: {} for section in INDEX_PAGES}  # slug -> Plan
        self.claimed = set()  # organisations matched by a natural key
        planners = {
            "organisations": self.plan_organisation,
            "products": self.plan_product,
            "case_studies": self.plan_case_study,
        }
        for name, record in self.progress(records, desc="Checking", unit="record"):
            planners[name](record)

    def validate(self, instance, spec, path, attrs):
        """The model's own validation of `attrs`, each message filed under its key.

        Foreign keys are left out: the references were resolved against the registry
        already, and checking each again would cost a query per row.
        """
        exclude = [f.name for f in instance._meta.fields if f.name not in attrs or f.is_relation]
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            add_file_errors(self.problems, exc, spec, path)

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
        plan.existing = self.registry.db_organisations["id"].get(plan.id)
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
            holder = self.registry.db_organisations[key].get(code)
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
                for namesake in self.registry.db_namesakes.get((record["name"], record["kind"]), [])
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
            existing = self.registry.db_organisations["ods_code"].get(code)
        else:
            plan = self.in_file["organisations"].get(ref.id)
            existing = self.registry.db_organisations["id"].get(ref.id)
        if plan:
            return plan.key, plan.record["kind"], plan.record["name"]
        if existing:
            return db_key(existing.pk), existing.kind, existing.name
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
            plan.existing = self.registry.db_pages[section].get(plan.id)
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
        if self.registry.indexes[section] is None:
            self.problem(
                record.path,
                f"The registry has no {INDEX_PAGES[section]._meta.verbose_name} to publish this "
                "under. Run `manage.py migrate`, which creates it.",
            )
            return
        sibling = self.registry.siblings[section].get(slug)
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
            names.append(self.registry.tag_names.setdefault(name.casefold(), name))
        return sorted_tags(names)

    # Products -------------------------------------------------------------------------------------

    def plan_product(self, record):
        plan = Plan("products", record)
        self.plan_page(plan, "name")
        plan.fresh = self.build(PRODUCT, record, ProductPage(locale=self.registry.default_locale))
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
            category = self.registry.categories.get(slug)
            if category is None:
                self.problem(
                    key_path(record.path, "category"),
                    f"No category has the slug {quoted(slug)}."
                    f"{suggestion(slug, self.registry.categories)}"
                    f" Use one of: {', '.join(sorted(self.registry.categories))}.",
                )
            given["category"] = slug
            plan.links["category"] = category

        care_settings = []
        for index, slug in enumerate(record["care_settings"] if record.ok("care_settings") else []):
            if slug not in self.registry.care_settings:
                self.problem(
                    index_path(key_path(record.path, "care_settings"), index),
                    f"No care setting has the slug {quoted(slug)}."
                    f"{suggestion(slug, self.registry.care_settings)} "
                    f"Use one of: {', '.join(sorted(self.registry.care_settings))}.",
                )
                continue
            care_settings.append(self.registry.care_settings[slug])
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
            plan.existing and product_record(plan.existing, product_id(plan.existing), db_key),
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
        standard = self.registry.standards.get(code)
        if standard is None:
            self.problem(
                path,
                f"No standard has the code {quoted(code)}."
                f"{suggestion(code, self.registry.standards)} "
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
            CASE_STUDY, record, CaseStudyPage(locale=self.registry.default_locale), **rich_text
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
            and case_study_record(plan.existing, case_study_id(plan.existing), db_key, db_key),
            assemble(CASE_STUDY, plan.fresh, given),
        )

    def resolve_product(self, ref, path):
        plan = self.in_file["products"].get(ref)
        if plan:
            return plan.key
        existing = self.registry.db_pages["products"].get(ref)
        if existing:
            return db_key(existing.pk)
        self.problem(
            path,
            f"No product has the id {quoted(ref)}, in this file or in the registry."
            f'{suggestion(ref, self.in_file["products"])} Add it to "products", or correct '
            "the id.",
        )
        return None


def import_catalogue(document, dry_run=False, progress=None, strict=False):
    """Check `document` (parsed JSON) and, unless `dry_run`, write it. Returns an
    ImportReport; raises ImportFailed listing every problem, having written nothing. With
    `strict`, a product that breaks a proof rule is a problem, not a warning."""
    return CatalogueImport(document, progress=progress, strict=strict).run(dry_run=dry_run)
