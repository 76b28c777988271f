"""Throttling (issue 12, finding 3): sign-in lockout on the site and the Wagtail admin, and
rate limits on password reset, registration and invitations, per address and per account,
each with a clear page and Retry-After."""

import pytest
from django.contrib.auth.models import User
from django.core import mail

from tests.accounts.factories import PASSWORD
from tests.assessments.factories import AssessorFactory, InnovatorFactory

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


@pytest.mark.parametrize(
    ("path", "person"),
    [("/account/sign-in/", InnovatorFactory), ("/admin/login/", AssessorFactory)],
)
def test_thirty_wrong_passwords_lock_the_account_even_for_the_right_one(client, path, person):
    user = person()
    if path == "/admin/login/":
        user.is_staff = True
        user.save()
    for _ in range(30):
        client.post(path, {"username": user.username, "password": WRONG})
    response = client.post(path, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert "Too many attempts to sign in" in response.content.decode()
    assert "Try again in 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_password_before_the_limit_still_signs_in(client):
    ada = InnovatorFactory()
    for _ in range(4):
        client.post("/account/sign-in/", {"username": ada.username, "password": WRONG})
    response = client.post("/account/sign-in/", {"username": ada.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ada.pk)


def test_one_locked_account_does_not_lock_others_at_the_same_address(client):
    eve, ada = InnovatorFactory(), InnovatorFactory()
    for _ in range(10):
        client.post("/account/sign-in/", {"username": eve.username, "password": WRONG})
    response = client.post("/account/sign-in/", {"username": ada.username, "password": PASSWORD})
    assert response.status_code == 302


def test_many_sign_ins_from_one_address_are_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in": {"per_ip": (3, 900)}}
    people = [InnovatorFactory() for _ in range(4)]
    for person in people[:3]:
        client.post("/account/sign-in/", {"username": person.username, "password": WRONG})
    response = client.post(
        "/account/sign-in/", {"username": people[3].username, "password": PASSWORD}
    )
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 900


def test_password_reset_emails_are_limited_per_account(client):
    ada = InnovatorFactory(email="ada@example.com", username="ada@example.com")
    statuses = [
        client.post("/account/password-reset/", {"email": ada.email}).status_code for _ in range(20)
    ]
    assert len(mail.outbox) == 3
    assert statuses[:3] == [302] * 3 and set(statuses[3:]) == {429}


def test_password_reset_is_limited_per_address(client):
    for number in range(12):
        client.post("/account/password-reset/", {"email": f"someone{number}@example.com"})
    response = client.post("/account/password-reset/", {"email": "another@example.com"})
    assert response.status_code == 429
    assert "Try again in" in response.content.decode() and response["Retry-After"]


def test_registration_is_limited_per_address(client):
    for number in range(10):
        client.post(
            "/account/register/buyer/",
            {"full_name": "Bot", "email": f"bot{number}@example.com", "password": PASSWORD},
        )
    response = client.post(
        "/account/register/buyer/",
        {"full_name": "Bot", "email": "bot-last@example.com", "password": PASSWORD},
    )
    assert response.status_code == 429
    assert not User.objects.filter(email="bot-last@example.com").exists()
    assert User.objects.filter(email__startswith="bot").count() == 10


def test_invitations_are_limited_per_account(client):
    """The report: 25 invitations to arbitrary addresses in half a second."""
    ada = InnovatorFactory()
    client.force_login(ada)
    statuses = [
        client.post("/account/invite/", {"email": f"target{n}@example.com"}).status_code
        for n in range(25)
    ]
    assert len(mail.outbox) == 10
    assert statuses.count(429) == 15
    assert "Retry-After" in client.post("/account/invite/", {"email": "x@example.com"})


def test_reading_the_forms_is_never_limited(client):
    for _ in range(30):
        assert client.get("/account/password-reset/").status_code == 200
