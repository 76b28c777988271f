"""Resolving what a file's record refers to: organisations and products (in the file or the
registry), and the registry's own standards, categories, care settings and tags.

Part of the import's first pass (see `importer`). An unresolved reference is a problem at
its JSON path, with the nearest match suggested where there is one.
"""

from django.core.exceptions import ValidationError
from taggit.models import Tag

from registry.validators import normalise_code

from .exporter import sorted_tags
from .plans import db_key
from .schema import Problem, index_path, key_path, quoted, suggestion

TAG_NAME = Tag._meta.get_field("name")


def rows(record, key):
    """The record's list under `key`, or none where the key is missing or invalid."""
    return record[key] if record.ok(key) else []


class ReferenceResolver:
    def __init__(self, registry, matcher, problems):
        self.registry = registry
        self.matcher = matcher  # what the file itself holds, by id and by code
        self.problems = problems

    def problem(self, path, message):
        self.problems.append(Problem(path, message))

    def organisation(self, ref, path):
        """(comparison key, kind, name) of the organisation a reference points at."""
        if ref.ods_code is not None:
            code = normalise_code(ref.ods_code)
            plan = self.matcher.codes_in_file["ods_code"].get(code)
            existing = self.registry.db_organisations["ods_code"].get(code)
        else:
            plan = self.matcher.in_file["organisations"].get(ref.id)
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
                f"{suggestion(ref.id, self.matcher.in_file['organisations'])} Add it to "
                '"organisations", or refer to it by ODS code: {"ods_code": "..."}.',
            )
        return None

    def product(self, ref, path):
        plan = self.matcher.in_file["products"].get(ref)
        if plan:
            return plan.key
        existing = self.registry.db_pages["products"].get(ref)
        if existing:
            return db_key(existing.pk)
        self.problem(
            path,
            f"No product has the id {quoted(ref)}, in this file or in the registry."
            f'{suggestion(ref, self.matcher.in_file["products"])} Add it to "products", or '
            "correct the id.",
        )
        return None

    def standard(self, item, seen):
        """The standard a compliance row names; `seen` maps codes to the rows that gave them."""
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

    def category(self, record):
        slug = record["category"]
        category = self.registry.categories.get(slug)
        if category is None:
            self.problem(
                key_path(record.path, "category"),
                f"No category has the slug {quoted(slug)}."
                f"{suggestion(slug, self.registry.categories)}"
                f" Use one of: {', '.join(sorted(self.registry.categories))}.",
            )
        return category

    def care_settings(self, record):
        found = []
        for index, slug in enumerate(rows(record, "care_settings")):
            if slug not in self.registry.care_settings:
                self.problem(
                    index_path(key_path(record.path, "care_settings"), index),
                    f"No care setting has the slug {quoted(slug)}."
                    f"{suggestion(slug, self.registry.care_settings)} "
                    f"Use one of: {', '.join(sorted(self.registry.care_settings))}.",
                )
                continue
            found.append(self.registry.care_settings[slug])
        return found

    def tags(self, record, key):
        """The record's tags, each spelt as the registry already spells it."""
        names = []
        for index, name in enumerate(rows(record, key)):
            try:
                TAG_NAME.clean(name, None)
            except ValidationError as exc:
                for message in exc.messages:
                    self.problem(index_path(key_path(record.path, key), index), message)
                continue
            # Tags ignore case: an existing "COPD" is reused for "copd", and stays "COPD".
            names.append(self.registry.tag_names.setdefault(name.casefold(), name))
        return sorted_tags(names)
