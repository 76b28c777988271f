"""An editor cannot publish a product that breaks a proof rule: one message lists every
missing item and nothing is published. A draft can still be saved."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from registry.models import CareSetting, ProductPage

from ..assessments.factories import dtac_rows
from ..registry.factories import EvidenceFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.nhs.uk", "x")
    client.force_login(user)
    return user


def edit_form(client, page):
    """The edit form's fields as the browser would post them."""
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    form = BeautifulSoup(response.content, "html.parser").find("form", id="page-edit-form")
    data = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.name == "select":
            chosen = [
                o.get("value", "") for o in field.find_all("option") if o.has_attr("selected")
            ]
            if field.has_attr("multiple"):
                data[name] = chosen
            elif chosen:
                data[name] = chosen[0]
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        elif field.name == "textarea":
            data[name] = field.text
        else:
            data[name] = field.get("value", "")
    data.setdefault("description-count", "0")
    return data


def post(client, page, data, action):
    data = {**data, action: "1"} if action else data
    return client.post(f"/admin/pages/{page.pk}/edit/", data)


def test_publishing_lists_every_missing_item_and_publishes_nothing(client, editor):
    draft = ProductFactory(title="HalfDone", live=False, care_settings=[], esf_tier="C")
    EvidenceFactory(product=draft, evidence_type="observational")  # too weak for tier C
    draft.save_revision()
    data = edit_form(client, draft)
    data["care_settings"] = []

    response = post(client, draft, data, "action-publish")

    assert response.status_code == 200  # the form again, not a redirect
    errors = [str(message) for message in get_messages(response.wsgi_request)]
    text = " ".join(errors)
    assert "Before publishing: Choose at least one care setting." in text
    assert "Before publishing: Add an evidence item that can support NICE ESF tier C" in text
    assert "Before publishing: A product that processes patient data needs ICO, DPO" in text
    assert len([e for e in errors if "could not be saved" in e]) == 1  # one message
    draft.refresh_from_db()
    assert not draft.live


def test_a_draft_that_breaks_the_rules_can_still_be_saved(client, editor):
    draft = ProductFactory(title="HalfDone", live=False, care_settings=[])
    draft.save_revision()
    data = edit_form(client, draft)
    data["summary"] = "A changed summary, saved as a draft."

    response = post(client, draft, data, None)

    assert response.status_code == 302
    latest = ProductPage.objects.get(pk=draft.pk).get_latest_revision_as_object()
    assert latest.summary == "A changed summary, saved as a draft."
    assert not ProductPage.objects.get(pk=draft.pk).live


def test_a_product_that_meets_every_rule_publishes(client, editor):
    draft = ProductFactory(title="AllThere", live=False)
    EvidenceFactory(product=draft)
    dtac_rows(draft)
    draft.save_revision()
    data = edit_form(client, draft)
    data["care_settings"] = [str(CareSetting.objects.order_by("pk").first().pk)]

    response = post(client, draft, data, "action-publish")

    assert response.status_code == 302, [str(m) for m in get_messages(response.wsgi_request)]
    assert ProductPage.objects.get(pk=draft.pk).live


def test_the_rules_are_readable_in_the_admin(client, editor):
    response = client.get("/admin/proof-rules/")
    assert response.status_code == 200
    text = BeautifulSoup(response.content, "html.parser").get_text(" ")
    assert "At least one evidence item of a type that can support" in text
    assert "Tier C: interventions, diagnosis and guiding care" in text
    assert "CE or CE_PLUS; PENTEST" in text
