"""Signed-in people find their account from the header of every page (the NHS.UK header's
account area): who they are, their account page, their submissions if they work for a
supplier, their saved searches, and sign out as a POST form."""

import pytest
from bs4 import BeautifulSoup

from ..accounts.factories import UserFactory
from ..assessments.factories import AssessorFactory, InnovatorFactory

pytestmark = pytest.mark.django_db


def _account_area(client, path="/search/"):
    html = client.get(path).content.decode()
    area = BeautifulSoup(html, "html.parser").select_one("header nav.nhsuk-header__account")
    assert area is not None, "no account area in the header"
    links = {a.get_text(strip=True): a["href"] for a in area.select("a")}
    return area, links


def test_an_innovator_finds_account_submissions_saved_searches_and_sign_out(client):
    innovator = InnovatorFactory(first_name="Ada", last_name="Lovelace")
    client.force_login(innovator)
    area, links = _account_area(client)
    assert "Ada Lovelace" in area.get_text()
    assert links == {
        "Your account": "/account/",
        "Your submissions": "/submissions/",
        "Saved searches": "/alerts/",
    }
    form = area.select_one("form")
    assert (form["method"], form["action"]) == ("post", "/account/sign-out/")
    assert form.select_one("input[name=csrfmiddlewaretoken]") is not None
    assert form.button.get_text(strip=True) == "Sign out"


def test_someone_outside_a_supplier_is_not_offered_submissions_in_the_account_area(client):
    client.force_login(AssessorFactory())
    _area, links = _account_area(client)
    assert "Your submissions" not in links
    assert links["Your account"] == "/account/"


def test_signed_out_people_are_offered_sign_in_and_no_account_links(client):
    area, links = _account_area(client)
    assert links == {"Sign in": "/account/sign-in/"}
    assert area.select_one("form") is None


def test_sign_out_from_the_header_signs_out(client):
    client.force_login(InnovatorFactory())
    client.post("/account/sign-out/")
    _area, links = _account_area(client)
    assert links == {"Sign in": "/account/sign-in/"}


def test_the_account_page_says_who_you_are_and_your_membership(client):
    innovator = InnovatorFactory(first_name="Ada", last_name="Lovelace")
    client.force_login(innovator)
    page = BeautifulSoup(client.get("/account/").content, "html.parser")
    main = page.select_one("main").get_text(" ", strip=True)
    assert "Ada Lovelace" in main and innovator.email in main
    assert innovator.membership.organisation.name in main
    assert "Confirmed" in main and "Pending" not in main
    links = {a.get_text(strip=True): a["href"] for a in page.select("main a")}
    assert links["Your submissions"] == "/submissions/"
    assert links["Saved searches"] == "/alerts/"
    assert links["Your shortlist"] == "/shortlist/"
    assert links["Change your password"] == "/account/password/"
    assert "Two-factor authentication" not in links  # innovators are never asked


def test_a_pending_membership_says_who_will_confirm_it(client):
    client.force_login(InnovatorFactory(confirmed=False))
    main = BeautifulSoup(client.get("/account/").content, "html.parser").select_one("main")
    text = main.get_text(" ", strip=True)
    assert "Pending" in text and "Confirmed" not in text
    assert "will confirm that you work there" in text


def test_staff_find_two_factor_and_people_without_an_organisation_are_told(client):
    client.force_login(AssessorFactory())
    page = BeautifulSoup(client.get("/account/").content, "html.parser")
    links = {a.get_text(strip=True): a["href"] for a in page.select("main a")}
    assert links["Two-factor authentication"] == "/account/two-factor/"
    assert "Your submissions" not in links
    assert "does not belong to an organisation" in page.select_one("main").get_text()


def test_the_account_page_needs_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")


def test_changing_the_password_needs_the_current_one_and_names_each_field(client):
    person = UserFactory()
    client.force_login(person)
    html = client.post("/account/password/", {}).content.decode()
    for message in (
        "Enter your current password",
        "Enter a new password",
        "Enter the new password again",
    ):
        assert message in html
    assert "This field is required" not in html
    wrong = client.post(
        "/account/password/",
        {
            "old_password": "not-it",
            "new_password1": "a-brand-new-pass-77",
            "new_password2": "a-brand-new-pass-77",
        },
    )
    assert "Your current password is not right" in wrong.content.decode()
    person.refresh_from_db()
    assert not person.check_password("a-brand-new-pass-77")
    response = client.post(
        "/account/password/",
        {
            "old_password": "a-long-test-password-42",
            "new_password1": "a-brand-new-pass-77",
            "new_password2": "a-brand-new-pass-77",
        },
    )
    assert response["Location"] == "/account/password/changed/"
    person.refresh_from_db()
    assert person.check_password("a-brand-new-pass-77")
