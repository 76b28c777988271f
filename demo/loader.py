"""Write a demo plan to the database, one transaction per batch of products."""

import dataclasses
import random
from collections import Counter
from decimal import Decimal

from django.db import reset_queries, router, transaction
from taggit.models import Tag
from wagtail.search.backends import get_search_backends

from assessments.models import ProductCompliance, Standard
from registry.models import (
    Adoption,
    BestPracticeIndexPage,
    BestPracticePage,
    BestPracticeProduct,
    BestPracticeTag,
    CareSetting,
    CaseStudyIndexPage,
    CaseStudyOutcome,
    CaseStudyPage,
    CaseStudyProduct,
    CaseStudyTag,
    Category,
    EvidenceItem,
    Organisation,
    ProductClinicalAreaTag,
    ProductIndexPage,
    ProductPage,
)

from . import vocabulary as words
from .pages import BulkRows, PagePublisher
from .plan import (
    Catalogue,
    DemoPlanner,
    OrganisationRef,
    StandardRef,
    iter_batches,
    supplier_count,
)

# Organisations the demo creates carry this prefix in `external_id`, so a later run can
# find and reuse them.
DEMO_ID_PREFIX = "demo-"
GUIDE_PRODUCTS_PER_CATEGORY = 50
CENTS = Decimal("0.01")

# What a ProductSpec holds besides the product page's own fields: its rows and references.
PRODUCT_SPEC_PARTS = {
    "number",
    "supplier",
    "category",
    "care_settings",
    "clinical_areas",
    "evidence",
    "compliance",
    "adoptions",
    "case_study",
    "publishing",
}


def _from_spec(model, spec, skip=(), **values):
    """`model(...)` from a plan's spec, whose fields bear the model's field names: every field
    of the spec but those in `skip` (the ones the loader resolves or leaves to another step),
    with `values` given or replacing some."""
    copied = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec) if f.name not in skip}
    return model(**{**copied, **values})


class DemoDataError(Exception):
    """The database is not in a state demo data can be added to."""


def load_catalogue():
    standards = Standard.objects.filter(is_active=True).select_related("part_of")
    return Catalogue(
        categories=tuple(Category.objects.order_by("slug").values_list("slug", flat=True)),
        care_settings=tuple(CareSetting.objects.order_by("slug").values_list("slug", flat=True)),
        standards=tuple(
            StandardRef(
                code=s.code,
                expires=s.expires,
                validity_months=s.validity_months,
                part_of=s.part_of.code if s.part_of else None,
            )
            for s in standards.order_by("category", "sort_order", "code")
        ),
    )


def child_slugs(parent):
    return set(parent.get_children().values_list("slug", flat=True)) if parent else set()


def rich_text_blocks(blocks):
    return [{"type": "text", "value": html, "id": block_id} for block_id, html in blocks]


class DemoLoader:
    """Adds `n` products, with their suppliers, adopters, case studies and guides.

    `on_batch(count)` is called after each committed batch, for progress reporting.
    """

    def __init__(self, *, seed, today, batch_size=1000, search_index=True, on_batch=None):
        self.seed = seed
        self.today = today
        self.batch_size = batch_size
        self.search_index = search_index
        self.on_batch = on_batch or (lambda count: None)
        self.counts = Counter()
        self.products_by_category = {}

    def load(self, n_products):
        product_index = ProductIndexPage.objects.first()
        case_study_index = CaseStudyIndexPage.objects.first()
        guide_index = BestPracticeIndexPage.objects.first()
        if product_index is None:
            raise DemoDataError("There is no products section in the page tree: run migrate.")
        catalogue = load_catalogue()
        if not catalogue.categories or not catalogue.care_settings:
            raise DemoDataError("There are no categories or care settings: run migrate.")
        self.categories = dict(Category.objects.values_list("slug", "pk"))
        self.care_settings = {s.slug: s for s in CareSetting.objects.all()}
        self.standards = dict(Standard.objects.values_list("code", "pk"))
        codes = Organisation.objects.values_list("ods_code", "companies_house_number")
        planner = DemoPlanner(
            self.seed,
            self.today,
            catalogue,
            first_number=ProductPage.objects.count(),
            taken_product_slugs=child_slugs(product_index),
            taken_product_titles=set(ProductPage.objects.values_list("title", flat=True)),
            taken_product_summaries=set(ProductPage.objects.values_list("summary", flat=True)),
            taken_case_study_slugs=child_slugs(case_study_index),
            taken_guide_slugs=child_slugs(guide_index),
            taken_ods_codes={ods for ods, _ in codes if ods},
            taken_companies_house_numbers={number for _, number in codes if number},
        )

        with transaction.atomic():
            organisations = self._adopting_organisations(planner, n_products)
            supplier_specs = planner.suppliers(supplier_count(n_products))
            suppliers = self._create_organisations(supplier_specs)
            self.counts["suppliers"] = len(suppliers)
            self.tags = self._tags()

        refs = [OrganisationRef(o.kind, o.region, o.name, o.size_band) for o in organisations]
        products = PagePublisher(product_index, ProductPage)
        case_studies = PagePublisher(case_study_index, CaseStudyPage) if case_study_index else None
        specs = planner.products(n_products, supplier_specs, refs)
        for batch in iter_batches(specs, self.batch_size):
            with transaction.atomic():
                pages = products.publish(
                    [self._product_page(spec, suppliers, organisations) for spec in batch]
                )
                studies = []
                if case_studies:
                    studies = case_studies.publish(
                        [
                            self._case_study_page(spec.case_study, page, organisations)
                            for spec, page in zip(batch, pages, strict=True)
                            if spec.case_study
                        ]
                    )
                self._add_to_search_index(ProductPage, pages)
                self._add_to_search_index(CaseStudyPage, studies)
            self._count(batch, pages, studies)
            self.on_batch(len(batch))
            reset_queries()  # with DEBUG on, Django would otherwise keep every insert

        if guide_index:
            with transaction.atomic():
                guides = PagePublisher(guide_index, BestPracticePage).publish(
                    [self._guide_page(spec) for spec in planner.guides()]
                )
                self._add_to_search_index(BestPracticePage, guides)
            self.counts["guides"] = len(guides)
        return self.counts

    # -- organisations and tags --

    def _adopting_organisations(self, planner, n_products):
        existing = list(
            Organisation.objects.filter(external_id__startswith=DEMO_ID_PREFIX)
            .exclude(kind="supplier")
            .order_by("pk")
        )
        if existing:
            return existing
        created = self._create_organisations(planner.nhs_organisations(n_products))
        self.counts["organisations"] = len(created)
        return created

    def _create_organisations(self, specs):
        organisations = BulkRows(router.db_for_write(Organisation)).insert(
            Organisation,
            [
                _from_spec(
                    Organisation,
                    spec,
                    external_id=DEMO_ID_PREFIX + (spec.ods_code or spec.companies_house_number),
                )
                for spec in specs
            ],
        )
        self._add_to_search_index(Organisation, organisations)
        return organisations

    def _tags(self):
        names = {area.tag for area in words.CLINICAL_AREAS}
        names |= {tag for area in words.CLINICAL_AREAS for tag in area.related_tags}
        names |= {tag for guide in words.GUIDES for tag in guide.tags}
        tags = {}
        for name in sorted(names):
            tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
            tags[name.lower()] = tag.pk
        return tags

    def _tag_rows(self, model, names):
        return [model(tag_id=self.tags[name.lower()]) for name in names]

    # -- pages --

    @staticmethod
    def _publishing(spec):
        return {
            "translation_key": spec.translation_key,
            "first_published_at": spec.first_published_at,
            "last_published_at": spec.last_published_at,
        }

    def _product_page(self, spec, suppliers, organisations):
        page = _from_spec(
            ProductPage,
            spec,
            skip=PRODUCT_SPEC_PARTS,
            supplier_id=suppliers[spec.supplier].pk,
            description=rich_text_blocks(spec.description),
            category_id=self.categories[spec.category],
            **self._publishing(spec.publishing),
        )
        page.evidence = [_from_spec(EvidenceItem, e) for e in spec.evidence]
        page.compliance = [
            _from_spec(
                ProductCompliance, c, skip={"standard"}, standard_id=self.standards[c.standard]
            )
            for c in spec.compliance
        ]
        page.adoptions = [
            _from_spec(
                Adoption, a, skip={"organisation"}, organisation_id=organisations[a.organisation].pk
            )
            for a in spec.adoptions
        ]
        page.tagged_clinical_areas = self._tag_rows(ProductClinicalAreaTag, spec.clinical_areas)
        page.care_settings = [self.care_settings[slug] for slug in spec.care_settings]
        self._remember_for_guides(spec.category, page)
        return page

    def _remember_for_guides(self, category, page):
        related = self.products_by_category.setdefault(category, [])
        if len(related) < GUIDE_PRODUCTS_PER_CATEGORY:
            related.append(page)

    def _case_study_page(self, spec, product, organisations):
        page = _from_spec(
            CaseStudyPage,
            spec,
            skip={"organisation", "outcomes", "tags", "publishing"},
            organisation_id=organisations[spec.organisation].pk,
            **self._publishing(spec.publishing),
        )
        page.product_links = [CaseStudyProduct(product_id=product.pk)]
        page.outcomes = [
            _from_spec(
                CaseStudyOutcome,
                o,
                before=o.before.quantize(CENTS),  # as the column stores it
                after=o.after.quantize(CENTS),
            )
            for o in spec.outcomes
        ]
        page.tagged_items = self._tag_rows(CaseStudyTag, spec.tags)
        return page

    def _guide_page(self, spec):
        page = BestPracticePage(
            title=spec.title,
            slug=spec.slug,
            summary=spec.summary,
            body=rich_text_blocks(spec.body),
            featured=spec.featured,
            **self._publishing(spec.publishing),
        )
        candidates = [
            product
            for category in spec.categories or sorted(self.products_by_category)
            for product in self.products_by_category.get(category, [])
        ]
        rng = random.Random(f"{self.seed}:guide-products:{spec.slug}")
        related = rng.sample(candidates, min(spec.related_count, len(candidates)))
        page.product_links = [BestPracticeProduct(product_id=product.pk) for product in related]
        page.tagged_items = self._tag_rows(BestPracticeTag, spec.tags)
        return page

    # -- bookkeeping --

    def _add_to_search_index(self, model, objects):
        """What `update_index` would do for these objects, in one call per backend."""
        if not self.search_index or not objects:
            return
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(model, objects)

    def _count(self, batch, pages, studies):
        counts = self.counts
        counts["products"] += len(pages)
        counts["case_studies"] += len(studies)
        for spec in batch:
            counts["evidence"] += len(spec.evidence)
            counts["compliance"] += len(spec.compliance)
            counts["expired"] += sum(
                1 for c in spec.compliance if c.expires_on and c.expires_on < self.today
            )
            counts["adoptions"] += len(spec.adoptions)
