"""The second pass of an import: carrying out the plans the first pass checked.

Everything is written inside one transaction, so a record that cannot be saved rolls back
the whole import and is reported like a problem found while checking. Each record is
written in its own savepoint, so one failure does not hide the others' problems. A record
that points at one that failed is skipped: its cause is already reported.
"""

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from wagtail.log_actions import log
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

from .exporter import RICH_TEXT_FIELDS
from .plans import UNCHANGED, add_file_errors
from .richtext import paragraphs_to_html, paragraphs_to_stream
from .schema import (
    ADOPTION,
    COMPLIANCE,
    EVIDENCE,
    ORGANISATION,
    OUTCOME,
    SPECS,
    ImportFailed,
    Problem,
)


class DependencyFailed(Exception):
    """A record points at one that could not be saved, whose error is already reported."""


class CatalogueWriter:
    """Writes checked plans (organisations first, then products, then case studies)."""

    def __init__(self, plans, indexes, progress):
        self.plans = plans
        self.indexes = indexes  # section -> the index page new pages go under
        self.progress = progress
        self.problems = []
        self.created = {}  # (section, id) -> primary key of the record created for it

    def write(self):
        """Writes every changing plan; raises ImportFailed, having written nothing, if any
        record cannot be saved."""
        writers = {
            "organisations": self.write_organisation,
            "products": self.write_product,
            "case_studies": self.write_case_study,
        }
        changing = [plan for plan in self.plans if plan.action != UNCHANGED]
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
                except DependencyFailed:
                    pass
                except ValidationError as exc:
                    add_file_errors(
                        self.problems, exc, SPECS[plan.section], plan.path, "Could not be saved: "
                    )
                except DatabaseError as exc:
                    self.problems.append(Problem(plan.path, f"Could not be saved: {exc}"))
            if self.problems:
                raise ImportFailed(self.problems)

    def pk_for(self, section, key):
        if key[0] == "db":
            return key[1]
        if (section, key[1]) not in self.created:
            raise DependencyFailed
        return self.created[(section, key[1])]

    @staticmethod
    def copy_scalars(spec, source, target):
        for f in spec.scalar_fields:
            setattr(target, f.attr, getattr(source, f.attr))

    def rows_for(self, spec, current, fresh_rows, match=None):
        """The inline rows a page should have. With `match`, (an attribute, each fresh row's
        value of it), current rows are reused where that value matches, and otherwise by
        position, so that what the file does not carry, such as a compliance row's uploaded
        document, survives an update. New rows are of the model `current` holds; `spec`
        (None for bare links) says which of their fields the file sets."""
        model = current.model
        current = list(current)
        attr, keys = match or (None, None)
        pool = {getattr(row, attr): row for row in current} if attr else {}
        rows = []
        for position, fresh in enumerate(fresh_rows):
            if attr:
                row = pool.pop(keys[position], None)
            else:
                row = current[position] if position < len(current) else None
            row = row or model()
            if spec:
                self.copy_scalars(spec, fresh, row)
            if attr:
                setattr(row, attr, keys[position])
            row.sort_order = position
            rows.append(row)
        return rows

    def write_organisation(self, plan):
        organisation = plan.existing or ORGANISATION.model()
        self.copy_scalars(ORGANISATION, plan.fresh, organisation)
        organisation.full_clean()
        organisation.save()
        self.created[("organisations", plan.id)] = organisation.pk
        return organisation

    def load_page(self, plan, **fields):
        """The page to update, with the file's own fields set.

        A new page is first added as a draft holding just those fields, as the admin does
        on "Save draft"; its inline rows are then saved once, by publishing.
        """
        spec = SPECS[plan.section]
        if plan.existing:
            page = spec.model.objects.get(pk=plan.existing.pk)
        else:
            page = spec.model(live=False)
        self.copy_scalars(spec, plan.fresh, page)
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
            supplier_id=self.pk_for("organisations", links["supplier"]),
            category=links["category"],
            **self.changed_text(plan, {"description": paragraphs_to_stream}),
        )
        page.care_settings.set(links["care_settings"])
        page.clinical_areas.set(links["clinical_areas"])
        page.evidence = self.rows_for(EVIDENCE, page.evidence.all(), links["evidence"])
        page.compliance = self.rows_for(
            COMPLIANCE,
            page.compliance.all(),
            links["compliance"],
            match=("standard_id", [row.standard_id for row in links["compliance"]]),
        )
        page.adoptions = self.rows_for(
            ADOPTION,
            page.adoptions.all(),
            links["adoptions"],
            match=(
                "organisation_id",
                [self.pk_for("organisations", key) for key in links["adopters"]],
            ),
        )
        self.publish(page)
        return page

    def write_case_study(self, plan):
        links = plan.links
        page = self.load_page(
            plan,
            organisation_id=self.pk_for("organisations", links["organisation"]),
            **self.changed_text(plan, dict.fromkeys(RICH_TEXT_FIELDS, paragraphs_to_html)),
        )
        page.tags.set(links["tags"])
        page.product_links = self.rows_for(
            None,
            page.product_links.all(),
            links["products"],
            match=("product_id", [self.pk_for("products", key) for key in links["products"]]),
        )
        page.outcomes = self.rows_for(OUTCOME, page.outcomes.all(), links["outcomes"])
        self.publish(page)
        return page
