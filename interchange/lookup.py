"""What the registry already holds that a catalogue file refers to, read up front.

The first pass of an import checks every reference in the file (organisations by id or
code, products, categories, care settings, standards, tags, the pages beside a new one)
against these maps, so checking a file of any size costs a fixed number of queries.
"""

from django.db.models.functions import Lower
from taggit.models import Tag
from wagtail.models import Locale, Page

from assessments.models import Standard
from registry.models import (
    CareSetting,
    CaseStudyIndexPage,
    Category,
    Organisation,
    ProductIndexPage,
)
from registry.validators import normalise_code

from .exporter import case_study_queryset, product_queryset
from .schema import INVALID, SPECS

INDEX_PAGES = {"products": ProductIndexPage, "case_studies": CaseStudyIndexPage}
ORGANISATION_CODES = {"ods_code": "ODS code", "companies_house_number": "Companies House number"}


def _listed(values, key):
    return values[key] if isinstance(values.get(key), list) else []


class _NamedInFile:
    """The ids, codes, names and tags the file's records use, so the snapshot reads only
    the registry records they could match or point at."""

    def __init__(self, records):
        self.organisation_ids, self.page_ids, self.tags = set(), set(), set()
        self.codes = {key: set() for key in ORGANISATION_CODES}
        self.names = {
            record.values["name"]
            for record in records
            if isinstance(record.values.get("name"), str)
        }
        for record in records:
            self.note_record(record)

    def note_record(self, record):
        values = record.values
        if record.ok("id"):
            self.page_ids.add(values["id"])
            self.organisation_ids.add(values["id"])
        for key in ORGANISATION_CODES:
            if isinstance(values.get(key), str):
                code = normalise_code(values[key])
                self.codes[key].update({code, code.zfill(8) if code.isdigit() else code})
        for key in ("supplier", "organisation"):
            self.note_organisation(values.get(key))
        for adoption in _listed(values, "adoptions"):
            self.note_organisation(adoption["organisation"])
        self.page_ids.update(_listed(values, "products"))
        for key in ("clinical_areas", "tags"):
            self.tags.update(name.casefold() for name in _listed(values, key))

    def note_organisation(self, ref):
        if ref is INVALID or ref is None:
            return
        if ref.ods_code is not None:
            self.codes["ods_code"].add(normalise_code(ref.ods_code))
        else:
            self.organisation_ids.add(ref.id)


class RegistrySnapshot:
    """The registry's records that `records` (schema.CheckedRecord) may match or point at."""

    def __init__(self, records):
        named = _NamedInFile(records)
        self.load_organisations(named)
        self.db_pages = {
            section: {
                page.external_id: page for page in queryset.filter(external_id__in=named.page_ids)
            }
            for section, queryset in (
                ("products", product_queryset()),
                ("case_studies", case_study_queryset()),
            )
        }
        self.indexes = {section: model.objects.first() for section, model in INDEX_PAGES.items()}
        self.siblings = {  # section -> {slug: (pk, title, external id)}
            section: self.children_of(section, index) for section, index in self.indexes.items()
        }
        self.categories = {c.slug: c for c in Category.objects.all()}
        self.care_settings = {c.slug: c for c in CareSetting.objects.all()}
        self.standards = {s.code: s for s in Standard.objects.all()}
        self.tag_names = {
            tag.folded: tag.name
            for tag in Tag.objects.annotate(folded=Lower("name")).filter(folded__in=named.tags)
        }
        self.default_locale = Locale.get_default()

    def load_organisations(self, named):
        organisations = Organisation.objects.all()
        self.db_organisations = {
            "id": {
                o.external_id: o
                for o in organisations.filter(external_id__in=named.organisation_ids)
            },
            **{
                key: {
                    getattr(o, key): o
                    for o in organisations.filter(**{f"{key}__in": named.codes[key]})
                }
                for key in ORGANISATION_CODES
            },
        }
        self.db_namesakes = {}
        for o in organisations.filter(name__in=named.names, external_id__isnull=True):
            self.db_namesakes.setdefault((o.name, o.kind), []).append(o)

    @staticmethod
    def children_of(section, index):
        """{slug: (pk, title, external id)} of the pages under a section's index page."""
        if index is None:
            return {}
        external_ids = dict(
            SPECS[section].model.objects.child_of(index).values_list("pk", "external_id")
        )
        children = Page.objects.child_of(index).values_list("pk", "slug", "title")
        return {slug: (pk, title, external_ids.get(pk)) for pk, slug, title in children}
