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
from ..registry.factories import ProductFactory, SupplierFactory


class InnovatorFactory(UserFactory):
    """A verified member of a supplier organisation."""

    @factory.post_generation
    def organisation(self, create, extracted, **kwargs):
        Membership.objects.create(
            user=self,
            organisation=extracted or SupplierFactory(),
            email_verified_at=timezone.now(),
        )


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
