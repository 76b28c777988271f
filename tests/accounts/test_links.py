"""Verification and password reset links are single-use, and neither re-activates an account
the scaling team deactivated (issue 12, finding 5)."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from tests.accounts.factories import PASSWORD
from tests.assessments.factories import InnovatorFactory

pytestmark = pytest.mark.django_db


def _link(message):
    return re.search(r"https?://testserver(\S+)", message.body).group(1)


def _register_and_get_link(client):
    client.post(
        "/account/register/",
        {
            "full_name": "Ada Innovator",
            "email": "ada@example.com",
            "organisation_name": "Breathe Easy Ltd",
            "companies_house_number": "",
            "password": PASSWORD,
        },
    )
    return _link(mail.outbox[-1])


def test_a_verification_link_works_once(client):
    link = _register_and_get_link(client)
    assert client.get(link).status_code == 302
    client.logout()
    response = client.get(link)
    assert response.status_code == 400
    assert "expired or is not valid" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_verification_link_does_not_reactivate_a_deactivated_account(client):
    link = _register_and_get_link(client)
    client.get(link)
    client.logout()
    User.objects.filter(email="ada@example.com").update(is_active=False)  # the scaling team
    assert client.get(link).status_code == 400
    assert not User.objects.get(email="ada@example.com").is_active
    assert "_auth_user_id" not in client.session


def _reset_link(client, ada):
    client.post("/account/password-reset/", {"email": ada.email})
    return _link(mail.outbox[-1])


def _choose_password(client, link, password="another-long-pass-99"):
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_a_reset_link_works_once(client):
    ada = InnovatorFactory(email="ada@example.com", username="ada@example.com")
    link = _reset_link(client, ada)
    _choose_password(client, link)
    ada.refresh_from_db()
    assert ada.check_password("another-long-pass-99")
    response = client.get(link, follow=True)
    assert "link" in response.content.decode().lower()
    _choose_password(client, link, "a-third-long-pass-77")
    ada.refresh_from_db()
    assert ada.check_password("another-long-pass-99")


def test_a_reset_link_is_void_once_the_account_is_deactivated(client):
    ada = InnovatorFactory(email="ada@example.com", username="ada@example.com")
    link = _reset_link(client, ada)
    User.objects.filter(pk=ada.pk).update(is_active=False)
    _choose_password(client, link)
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD) and not ada.is_active
    assert not client.login(username="ada@example.com", password="another-long-pass-99")


def test_a_deactivated_account_gets_no_reset_email(client):
    ada = InnovatorFactory(email="ada@example.com", username="ada@example.com", is_active=False)
    client.post("/account/password-reset/", {"email": ada.email})
    assert mail.outbox == []
