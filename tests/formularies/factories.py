import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Membership
from formularies.models import Formulary, FormularyEntry

from ..accounts.factories import UserFactory
from ..registry.factories import OrganisationFactory, ProductFactory


class ConfirmedMemberFactory(DjangoModelFactory):
    """A person the scaling team confirmed works at the organisation."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    email_verified_at = factory.LazyFunction(timezone.now)
    organisation_verified_at = factory.LazyFunction(timezone.now)


class FormularyFactory(DjangoModelFactory):
    """A published formulary of an organisation with a confirmed member: public."""

    class Meta:
        model = Formulary
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    introduction = "Products approved for use across the trust."
    published = True

    @factory.post_generation
    def confirmed_member(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ConfirmedMemberFactory(organisation=self.organisation)


class FormularyEntryFactory(DjangoModelFactory):
    class Meta:
        model = FormularyEntry

    formulary = factory.SubFactory(FormularyFactory)
    product = factory.SubFactory(ProductFactory)
    note = "Approved for cardiology follow-up only."
