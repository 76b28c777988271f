"""Bad characters (issue 12, finding 6): NUL and other control characters are refused with a
clear message wherever they come in, never a 500 from PostgreSQL; names are cleaned before
they reach email headers."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core import mail

from accounts.forms import RegistrationForm
from buyers.models import FrozenShortlist, SavedSearch
from tests.registry.factories import AdoptionFactory, OrganisationFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def buyer(postgres):
    return get_user_model().objects.create_user(
        "buyer", "buyer@mft.nhs.uk", "not-used-in-tests", first_name="Sam"
    )


def test_nul_in_a_query_parameter_signed_out_is_a_clear_400(client, postgres):
    response = client.get("/compare/?products=%00")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem with what was sent" in html
    assert "control character (U+0000)" in html


@pytest.mark.parametrize("path", ["/search/?q=a%01b", "/products/?page=%1b", "/search/?%00=x"])
def test_control_characters_anywhere_in_the_address_are_a_400(client, postgres, path):
    assert client.get(path).status_code == 400


def test_ordinary_text_and_tabs_pass(client, postgres):
    assert client.get("/search/?q=A%26E%09ward").status_code == 200


def test_api_input_gets_a_json_400(client, postgres):
    response = client.get("/api/v1/search?q=%00%E2%80%AE%20ward")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(
        "The web address contains a control character"
    )
    response = client.post(
        "/api/v1/products", '{"name": "x\\u0000y"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "control character (U+0000)" in response.json()["error"]["message"]
    deep = "[" * 200 + "]" * 200
    response = client.post("/api/v1/products", deep, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["error"]["message"]


def test_a_saved_search_name_with_nul_is_refused_and_nothing_is_saved(client, buyer):
    client.force_login(buyer)
    response = client.post("/alerts/save/?q=wound", {"name": "My\x00search"})
    assert response.status_code == 400
    assert "hidden control character (U+0000)" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_a_shortlist_record_title_with_nul_is_refused(client, buyer):
    product = ProductFactory()
    client.force_login(buyer)
    client.post("/shortlist/add/", {"product": product.slug})
    response = client.post("/shortlist/records/", {"title": "Business case\x00"})
    assert response.status_code == 400
    assert not FrozenShortlist.objects.exists()


def test_a_peer_message_from_someone_whose_name_has_a_line_break(client, buyer):
    buyer.first_name = "Sam\r\nBcc: everyone@example.com"
    buyer.last_name = "Buyer"
    buyer.save()
    adoption = AdoptionFactory(
        product=ProductFactory(title="WardWatch"),
        organisation=OrganisationFactory(name="Leeds Teaching Hospitals"),
        contact_email="digital.lead@leedsth.nhs.uk",
    )
    client.force_login(buyer)
    response = client.post(f"/adoptions/{adoption.pk}/contact/", {"message": "Hello"})
    assert response.status_code == 200
    message = mail.outbox[-1]
    assert message.subject == "A question about WardWatch from Sam Bcc: everyone@example.com Buyer"
    assert message.to == ["digital.lead@leedsth.nhs.uk"]
    assert "\n" not in message.message()["Subject"]


def test_a_line_break_in_a_one_line_form_field_is_a_field_error(postgres):
    form = RegistrationForm(
        {
            "full_name": "Ada\nInnovator",
            "email": "ada@example.com",
            "organisation_name": "Breathe Easy Ltd",
            "password": "a-long-test-password-42",
        }
    )
    assert not form.is_valid()
    assert form.errors["full_name"] == ["Enter this on one line: remove the line breaks."]


def test_text_areas_keep_their_line_breaks_but_not_control_characters():
    class Note(forms.Form):
        text = forms.CharField(widget=forms.Textarea)

    assert Note({"text": "one\r\ntwo\tthree"}).is_valid()
    form = Note({"text": "one\x07two"})
    assert not form.is_valid()
    assert "hidden control characters" in form.errors["text"][0]


def test_a_registration_posted_with_nul_changes_nothing(client, postgres):
    response = client.post(
        "/account/register/",
        {
            "full_name": "Ada\x00",
            "email": "ada@example.com",
            "organisation_name": "Breathe Easy Ltd",
            "password": "a-long-test-password-42",
        },
    )
    assert response.status_code == 400
    assert not get_user_model().objects.exists()
