"""Factories for assessors, innovators, submissions and standards compliance. Submissions
use the framework the migrations ship."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Membership
from assessments.models import (
    ComplianceStatus,
    Framework,
    ProductCompliance,
    Standard,
    Submission,
)
from registry.models import Category

from ..accounts.factories import UserFactory
from ..registry.factories import EvidenceFactory, ProductFactory, SupplierFactory


class InnovatorFactory(UserFactory):
    """A confirmed member of a supplier organisation; `confirmed=False` makes the membership
    a pending claim (email verified, organisation not confirmed)."""

    @factory.post_generation
    def organisation(self, create, extracted, **kwargs):
        Membership.objects.create(
            user=self,
            organisation=extracted or SupplierFactory(),
            email_verified_at=timezone.now(),
            organisation_verified_at=timezone.now(),
        )

    @factory.post_generation
    def confirmed(self, create, extracted, **kwargs):
        if extracted is False:
            Membership.objects.filter(user=self).update(organisation_verified_at=None)
            self.membership.refresh_from_db()


class AssessorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"assessor{n}")
    email = factory.Sequence(lambda n: f"assessor{n}@nhs.net")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        self.groups.add(Group.objects.get(name="Assessors"))


class SubmissionFactory(DjangoModelFactory):
    class Meta:
        model = Submission

    organisation = factory.SubFactory(SupplierFactory)
    framework = factory.LazyFunction(Framework.current)
    product_name = factory.Sequence(lambda n: f"Submitted product {n}")
    summary = "Helps people with COPD manage their breathing at home."
    category = factory.LazyFunction(lambda: Category.objects.order_by("pk").first())
    esf_tier = "B"
    device_class = "none"
    pricing_model = "subscription"
    deployment_model = "cloud"


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
