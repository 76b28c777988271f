"""Matching the file's records to the registry's, and settling what each plan will do.

Part of the import's first pass (see `importer`). A record is matched on its external id;
failing that, on a natural key of a registry record that has no external id yet (an
organisation's ODS code or Companies House number, else its name and kind; a page's slug).
Ids, codes and slugs must each be given once in the file. A matched record is unchanged when
it would export as the file has it.
"""

from django.utils.text import slugify

from .exporter import case_study_queryset, organisation_id, product_queryset
from .lookup import INDEX_PAGES, ORGANISATION_CODES
from .plans import CREATED, NOUNS, UNCHANGED, UPDATED
from .schema import SECTIONS, Problem, key_path, quoted


class RecordMatcher:
    def __init__(self, registry, problems, notes):
        self.registry = registry
        self.problems = problems
        self.notes = notes
        self.in_file = {section: {} for section in SECTIONS}  # id -> Plan
        self.codes_in_file = {key: {} for key in ORGANISATION_CODES}  # code -> Plan
        self.slugs_in_file = {section: {} for section in INDEX_PAGES}  # slug -> Plan
        self.claimed = set()  # registry records matched by a natural key

    def problem(self, path, message):
        self.problems.append(Problem(path, message))

    def register(self, plan):
        """Note the record's id; False if another record of its kind has it already."""
        record = plan.record
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

    # Organisations ------------------------------------------------------------------------------

    def match_organisation(self, plan):
        """Find the registry's organisation by id, else by a code or its name and kind."""
        plan.existing = self.registry.db_organisations["id"].get(plan.id)
        for key, label in ORGANISATION_CODES.items():
            # Read back from the model, which normalises "rj1 " to "RJ1".
            code = getattr(plan.fresh, key) if plan.record.ok(key) else None
            if code:
                self._match_code(plan, key, label, code)
        if plan.existing is None and plan.record.ok("name", "kind"):
            self._match_name(plan)

    def _match_code(self, plan, key, label, code):
        code_path = key_path(plan.path, key)
        other = self.codes_in_file[key].get(code)
        if other:
            self.problem(
                code_path,
                f"The {label} {code} is also given to {other.path} (id {quoted(other.id)}). "
                "List each organisation once and refer to it by its id.",
            )
            return
        self.codes_in_file[key][code] = plan
        holder = self.registry.db_organisations[key].get(code)
        if holder is None or holder == plan.existing:
            return
        if plan.existing is None and not holder.external_id and holder.pk not in self.claimed:
            plan.existing, plan.matched_by = holder, f"{label} {code}"
            self.claimed.add(holder.pk)
            return
        self.problem(
            code_path,
            f"The {label} {code} already belongs to {quoted(holder.name)} in the registry "
            f"(id {quoted(organisation_id(holder))}). If this is that organisation, use "
            "its id; otherwise correct the code.",
        )

    def _match_name(self, plan):
        """Failing a code, an organisation's full name and kind are its natural key, as long
        as the registry's record has no code of its own that says otherwise."""
        record = plan.record
        namesakes = [
            namesake
            for namesake in self.registry.db_namesakes.get((record["name"], record["kind"]), [])
            if not any(getattr(namesake, key) for key in ORGANISATION_CODES)
        ]
        if len(namesakes) == 1 and namesakes[0].pk not in self.claimed:
            plan.existing, plan.matched_by = namesakes[0], "name"
            self.claimed.add(namesakes[0].pk)

    # Pages ----------------------------------------------------------------------------------------

    def match_page(self, plan, title_key):
        """Match a product or case study page and settle its slug.

        A slug left out of the file keeps the page's current one, or for a new page is
        made from its title, as the admin would.
        """
        record = plan.record
        registered = self.register(plan)
        if registered:
            plan.existing = self.registry.db_pages[plan.section].get(plan.id)
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
        if registered:
            slug_path = key_path(record.path, "slug" if given else title_key)
            self._match_slug(plan, slug, given, slug_path)

    def _match_slug(self, plan, slug, given, slug_path):
        section = plan.section
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
                plan.path,
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

    # What the plan does ---------------------------------------------------------------------------

    def settle_action(self, plan, existing_record, desired):
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
