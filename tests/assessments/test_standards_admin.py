"""The standards catalogue in the CMS: a standard or framework that rows still rest on is
kept when someone tries to delete it, with a message that says why (not a server error)."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from assessments.models import Framework, Standard
from tests.assessments.factories import ComplianceFactory, SubmissionFactory
from tests.registry.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    editor = User.objects.create_user("editor", "editor@nhs.net", "x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


def test_a_standard_other_rows_rest_on_is_kept_with_a_message(editor_client):
    # The DTAC: its sections are standards of their own, and framework sections cite it.
    standard = Standard.objects.filter(sections__isnull=False).order_by("pk").first()
    sections = standard.sections.count()
    url = reverse("wagtailsnippets_assessments_standard:delete", args=[standard.pk])

    response = editor_client.post(url, follow=True)

    assert response.status_code == 200
    assert Standard.objects.filter(pk=standard.pk).exists()
    assert standard.sections.count() == sections
    shown = [str(message) for message in response.context["messages"]]
    assert any(
        f"{standard} cannot be deleted" in text and "untick 'Is active'" in text for text in shown
    ), shown


def test_a_standard_compliance_cites_is_kept(editor_client):
    standard = Standard.objects.get(code="DCB0129")
    ComplianceFactory(product=ProductFactory(), standard=standard)
    url = reverse("wagtailsnippets_assessments_standard:delete", args=[standard.pk])
    assert editor_client.post(url).status_code == 302
    assert Standard.objects.filter(pk=standard.pk).exists()


def test_a_standard_nothing_refers_to_can_be_deleted(editor_client):
    standard = Standard.objects.create(
        code="TEST-1", name="A standard made by mistake", category="technical_security"
    )
    url = reverse("wagtailsnippets_assessments_standard:delete", args=[standard.pk])
    assert editor_client.post(url).status_code == 302
    assert not Standard.objects.filter(pk=standard.pk).exists()


def test_a_framework_submissions_were_made_against_is_kept(admin_client):
    framework = SubmissionFactory().framework
    url = reverse("wagtailsnippets_assessments_framework:delete", args=[framework.pk])
    response = admin_client.post(url, follow=True)
    assert response.status_code == 200
    assert Framework.objects.filter(pk=framework.pk).exists()
    assert any("cannot be deleted" in str(m) for m in response.context["messages"])
