"""Factories for people and submissions. Submissions use the framework the migrations ship."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Membership
from assessments.models import Framework, Submission
from registry.models import Category

from ..factories import SupplierFactory

PASSWORD = "a-long-test-password-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}@example.com")
    email = factory.SelfAttribute("username")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


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
