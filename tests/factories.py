"""factory_boy factories for the catalogue. Pages are created under the page tree that the
migrations build, and published unless `live=False` is passed."""

import datetime

import factory
from factory.django import DjangoModelFactory

from assessments.models import ComplianceStatus, ProductCompliance, Standard
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


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Example NHS Foundation Trust {n}")
    kind = OrganisationKind.NHS_TRUST
    ods_code = factory.Sequence(lambda n: f"R{n:04d}")
    region = Region.LONDON


class SupplierFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Example Health Ltd {n}")
    kind = OrganisationKind.SUPPLIER
    ods_code = None
    region = ""
    companies_house_number = factory.Sequence(lambda n: f"{n + 10000000:08d}")


class PageFactory(factory.Factory):
    """Adds the page under the one index page of its kind, like an editor would."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        live = kwargs.pop("live", True)
        many_to_many = {
            name: kwargs.pop(name)
            for name in ("care_settings", "clinical_areas", "tags")
            if name in kwargs
        }
        page = model_class(*args, live=live, **kwargs)
        for name, values in many_to_many.items():
            getattr(page, name).set(values)
        cls._parent_model.objects.get().add_child(instance=page)
        if live:
            page.save_revision().publish()
        return page


class ProductFactory(PageFactory):
    class Meta:
        model = ProductPage

    _parent_model = ProductIndexPage

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


class ComplianceFactory(DjangoModelFactory):
    class Meta:
        model = ProductCompliance

    product = factory.SubFactory(ProductFactory)
    standard = factory.LazyFunction(lambda: Standard.objects.get(code="DCB0129"))
    status = ComplianceStatus.MET
    assessed_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))


def dtac_rows(product, expires_on=None, assessed_on=None, **status_by_code):
    """Every row DTAC rests on (proof.rules.DTAC_REQUIREMENTS), met, so the product's DTAC
    reads "passed"; pass CODE=status to change one, or expires_on for them all."""
    from proof.rules import DTAC_REQUIREMENTS

    rows = []
    for group in DTAC_REQUIREMENTS:
        code = group[0]
        rows.append(
            ComplianceFactory(
                product=product,
                standard=Standard.objects.get(code=code),
                status=status_by_code.get(code, ComplianceStatus.MET),
                expires_on=expires_on,
                **({"assessed_on": assessed_on} if assessed_on else {}),
            )
        )
    return rows


def proven_product(**kwargs):
    """A live product that passes every publishing rule in proof.rules: supplier, category,
    care setting, summary, an RCT (fits every ESF tier), not a medical device, and the data
    protection standards a product handling personal data needs (with the rest of DTAC)."""
    product = ProductFactory(**kwargs)
    EvidenceFactory(product=product)
    dtac_rows(product)
    return product


class AdoptionFactory(DjangoModelFactory):
    class Meta:
        model = Adoption

    product = factory.SubFactory(ProductFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    since = datetime.date(2023, 4, 1)
    scale = AdoptionScale.TRUST_WIDE
    confirmed = True


class CaseStudyFactory(PageFactory):
    class Meta:
        model = CaseStudyPage

    _parent_model = CaseStudyIndexPage

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


class GuideFactory(PageFactory):
    class Meta:
        model = BestPracticePage

    _parent_model = BestPracticeIndexPage

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
