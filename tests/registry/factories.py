"""factory_boy factories for the catalogue. Pages are created under the page tree that the
migrations build, and published unless `live=False` is passed."""

import datetime
from contextlib import contextmanager

import factory
import wagtail_factories
from django.conf import settings
from django.test import override_settings
from factory.django import DjangoModelFactory
from wagtail.signal_handlers import disable_reference_index_auto_update

from registry.choices import (
    AdoptionScale,
    DeploymentModel,
    EsfTier,
    EvidenceType,
    OrganisationKind,
    PricingModel,
    Region,
)
from registry.models import (
    Adoption,
    BestPracticeIndexPage,
    BestPracticePage,
    BestPracticeProduct,
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


@contextmanager
def without_admin_indexes():
    """Saves that leave out the two indexes only the CMS reads: Wagtail's reference index
    (the "usage" of an object) and its search index (the editors' admin search). No test
    reads them for pages it made with a factory, and keeping them cost a third of the
    queries of every product. Everything the site, the API, the search outbox and the
    changes feed do on publish still happens."""
    admin_search = {
        name: {**backend, "AUTO_UPDATE": False}
        for name, backend in settings.WAGTAILSEARCH_BACKENDS.items()
    }
    with (
        disable_reference_index_auto_update(),
        override_settings(WAGTAILSEARCH_BACKENDS=admin_search),
    ):
        yield


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Example NHS Foundation Trust {n}")
    kind = OrganisationKind.NHS_TRUST
    ods_code = factory.Sequence(lambda n: f"R{n:04d}")
    region = Region.LONDON

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with without_admin_indexes():
            return super()._create(model_class, *args, **kwargs)


class SupplierFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Example Health Ltd {n}")
    kind = OrganisationKind.SUPPLIER
    ods_code = None
    region = ""
    companies_house_number = factory.Sequence(lambda n: f"{n + 10000000:08d}")


class CataloguePageFactory(wagtail_factories.PageFactory):
    """Adds the page under the one index page of its kind (`parent`), like an editor would,
    and publishes it unless `live=False` is passed. Wagtail makes the slug from the title."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    slug = ""

    @classmethod
    def _create_instance(cls, model_class, parent, kwargs):
        live = kwargs.pop("live", True)
        many_to_many = {
            name: kwargs.pop(name)
            for name in ("care_settings", "clinical_areas", "tags")
            if name in kwargs
        }
        page = model_class(live=live, **kwargs)
        for name, values in many_to_many.items():
            getattr(page, name).set(values)
        with without_admin_indexes():
            parent.add_child(instance=page)
            if live:
                page.save_revision().publish()
        return page


class ProductFactory(CataloguePageFactory):
    class Meta:
        model = ProductPage

    parent = factory.LazyFunction(lambda: ProductIndexPage.objects.get())

    title = factory.Sequence(lambda n: f"Example product {n}")
    supplier = factory.SubFactory(SupplierFactory)
    summary = "Helps clinical teams monitor patients at home and spot deterioration early."
    category = factory.LazyFunction(lambda: Category.objects.order_by("pk").first())
    esf_tier = EsfTier.B
    pricing_model = PricingModel.SUBSCRIPTION
    deployment_model = DeploymentModel.CLOUD
    care_settings = factory.LazyFunction(lambda: list(CareSetting.objects.order_by("pk")[:1]))


class EvidenceFactory(DjangoModelFactory):
    class Meta:
        model = EvidenceItem

    product = factory.SubFactory(ProductFactory)
    evidence_type = EvidenceType.RCT
    title = factory.Sequence(lambda n: f"A randomised trial of remote monitoring {n}")
    year = 2023
    summary = "412 adults with heart failure across three trusts."
    outcomes = "Admissions fell by 18%."
    link = "10.1136/bmj.m1234"


class AdoptionFactory(DjangoModelFactory):
    class Meta:
        model = Adoption

    product = factory.SubFactory(ProductFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    since = datetime.date(2023, 4, 1)
    scale = AdoptionScale.TRUST_WIDE
    confirmed = True


class CaseStudyFactory(CataloguePageFactory):
    class Meta:
        model = CaseStudyPage

    parent = factory.LazyFunction(lambda: CaseStudyIndexPage.objects.get())

    title = factory.Sequence(lambda n: f"Cutting missed appointments at an example trust {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    summary = "Text reminders cut missed outpatient appointments by a third."
    challenge = "<p>One in ten outpatient appointments was missed.</p>"
    solution = "<p>Two-way text reminders with easy rebooking.</p>"
    contact_name = "Alex Example"
    contact_role = "Head of digital transformation"
    published_on = datetime.date(2024, 5, 1)

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        for product in extracted or []:
            CaseStudyProduct.objects.create(case_study=self, product=product)


class OutcomeFactory(DjangoModelFactory):
    class Meta:
        model = CaseStudyOutcome

    case_study = factory.SubFactory(CaseStudyFactory)
    metric = "Did not attend rate"
    before = 10
    after = 6.5
    unit = "%"
    period = "12 months"


class GuideFactory(CataloguePageFactory):
    class Meta:
        model = BestPracticePage

    parent = factory.LazyFunction(lambda: BestPracticeIndexPage.objects.get())

    title = factory.Sequence(lambda n: f"Choosing a virtual ward platform {n}")
    summary = "What to ask suppliers, and how to plan a safe roll-out."
    body = factory.LazyFunction(
        lambda: [("text", "<p>Start with the clinical pathway, not the technology.</p>")]
    )
    featured = True

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        for product in extracted or []:
            BestPracticeProduct.objects.create(guide=self, product=product)
