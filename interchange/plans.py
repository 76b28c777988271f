"""What an import will do, record by record, and the report it gives back.

`importer.CatalogueImport` makes one `Plan` per record of the file while checking it;
`writer.CatalogueWriter` carries the plans out; `ImportReport` is what the command prints.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from .schema import SECTIONS, Problem, key_path

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
LABELS = {"organisations": "organisations", "products": "products", "case_studies": "case studies"}
NOUNS = {"organisations": "organisation", "products": "product", "case_studies": "case study"}


def db_key(pk):
    return ("db", pk)


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
        return db_key(self.existing.pk) if self.existing else ("file", self.id)


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


def file_order(problem):
    match = re.match(r"^\$\.(\w+)\[(\d+)\]", problem.path)
    if not match or match.group(1) not in SECTIONS:
        return (-1, 0)
    return (SECTIONS.index(match.group(1)), int(match.group(2)))


def add_file_errors(problems, exc, spec, path, prefix=""):
    """A model's ValidationError as problems, each message filed under the file's key."""
    for attr, messages in exc.message_dict.items():
        key = spec.key_for_attr(attr)
        for message in messages:
            problems.append(Problem(key_path(path, key) if key else path, prefix + message))
