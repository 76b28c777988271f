"""check_expiry: compliance expiring within 60 days opens a re-assessment of that section
only and tells the supplier, once; expired compliance shows as expired with nobody acting."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import Standard, Submission
from registry.models import ProductPage

from ..registry.factories import ProductFactory
from .factories import ComplianceFactory, InnovatorFactory
from .helpers import submit_and_approve

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def product():
    innovator = InnovatorFactory(email="ada@example.com")
    return ProductFactory(title="Breathe Easy", supplier=innovator.membership.organisation)


def _run():
    out = StringIO()
    call_command("check_expiry", stdout=out)
    return out.getvalue()


def test_expiring_compliance_opens_a_reassessment_of_its_section_once(product, mailoutbox):
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="CE"),
        expires_on=TODAY + datetime.timedelta(days=45),
    )
    ComplianceFactory(  # far from expiry: nothing to do
        product=product,
        standard=Standard.objects.get(code="ICO"),
        expires_on=TODAY + datetime.timedelta(days=200),
    )
    output = _run()
    assert "1 re-assessment(s) opened" in output
    reassessment = Submission.objects.get(product=product)
    assert reassessment.kind == "reassessment" and reassessment.status == "draft"
    assert [s.code for s in reassessment.sections_in_scope.all()] == ["C3"]
    assert mailoutbox[-1].to == ["ada@example.com"]
    assert "Cyber Essentials expires soon" in mailoutbox[-1].subject

    assert "0 re-assessment(s) opened, 1 already open" in _run()
    assert Submission.objects.filter(product=product).count() == 1
    assert len(mailoutbox) == 1


@pytest.fixture
def reassessment(product):
    """Data protection (C2) expiring in ten days, and the re-assessment check_expiry opens."""
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="DTAC_C2"),
        expires_on=TODAY + datetime.timedelta(days=10),
    )
    _run()
    return Submission.objects.get(product=product)


def test_the_reassessment_asks_only_that_section(client, product, reassessment):
    client.force_login(product.supplier.memberships.get().user)
    html = client.get(f"/submissions/{reassessment.pk}/").content.decode()
    assert "C2 Data protection" in html and "C1 Clinical safety" not in html


def test_expired_compliance_shows_as_expired_on_the_listing(client, product):
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="CE"),
        assessed_on=TODAY - datetime.timedelta(days=400),
        expires_on=TODAY - datetime.timedelta(days=1),
    )
    html = client.get(product.url).content.decode()
    assert "1 expired" in html


def test_approving_a_reassessment_keeps_an_editors_later_change_to_the_listing(
    client, product, reassessment
):
    # The re-assessment copied the listing's details when it opened; an editor then
    # improves the summary while the supplier answers.
    product.summary = "Rewritten by the scaling team."
    product.save_revision().publish()
    submit_and_approve(client, reassessment, product.supplier.memberships.get().user)

    draft = ProductPage.objects.get(pk=product.pk).get_latest_revision_as_object()
    assert draft.summary == "Rewritten by the scaling team."
    renewed = {row.standard.code: row for row in draft.compliance.all()}["DTAC_C2"]
    assert renewed.expires_on > TODAY + datetime.timedelta(days=10)
