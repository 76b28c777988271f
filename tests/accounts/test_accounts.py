"""Accounts: registration with email verification, invitations, sign in, password reset, and
the email backends (including a unit test of our GOV.UK Notify adapter)."""

import json
import re
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core import mail, signing
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.emails import send_templated_email
from accounts.models import Membership, is_nhs_email
from accounts.notify import NotifyEmailBackend

from ..assessments.factories import InnovatorFactory
from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def _link(message):
    return re.search(r"https?://testserver(\S+)", message.body).group(1)


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("sam@nhs.net", True),
        ("sam@nhs.uk", True),
        ("sam@leedsth.nhs.uk", True),
        ("SAM@LEEDSTH.NHS.UK", True),
        ("sam@fakenhs.uk", False),
        ("sam@nhs.uk.example.com", False),
        ("sam@example.com", False),
    ],
)
def test_nhs_staff_are_recognised_by_email_domain(email, expected):
    assert is_nhs_email(email) is expected


def _register(client, **overrides):
    data = {
        "full_name": "Ada Innovator",
        "email": "ada@example.com",
        "organisation_name": "Breathe Easy Ltd",
        "companies_house_number": "",
        "password": PASSWORD,
        **overrides,
    }
    return client.post("/account/register/", data)


def test_registration_needs_the_emailed_link_before_sign_in(client):
    _register(client)
    user = User.objects.get(email="ada@example.com")
    assert not user.is_active
    assert user.membership.organisation.name == "Breathe Easy Ltd"
    assert user.membership.organisation.kind == "supplier"
    assert not client.login(username="ada@example.com", password=PASSWORD)
    client.get(_link(mail.outbox[-1]))
    user.refresh_from_db()
    assert user.is_active and user.membership.email_verified_at is not None


def test_a_forged_verification_link_is_refused(client):
    _register(client)
    user = User.objects.get(email="ada@example.com")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    forged = signing.dumps({"user": user.pk, "email": user.email}, salt="something-else")
    response = client.get(f"/account/verify/{uid}/{forged}/")
    assert response.status_code == 400 and "expired or is not valid" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_registration_errors_are_shown_with_a_summary(client):
    InnovatorFactory(email="taken@example.com", username="taken@example.com")
    response = _register(client, email="taken@example.com", password="short", full_name="")
    html = response.content.decode()
    assert "There is a problem" in html
    assert "already exists" in html
    assert 'href="#id_full_name"' in html
    assert User.objects.filter(email="taken@example.com").count() == 1


def test_a_colleague_is_invited_into_the_same_organisation(client):
    ada = InnovatorFactory()
    client.force_login(ada)
    client.post("/account/invite/", {"email": "bo@example.com"})
    invitation = mail.outbox[-1]
    assert invitation.to == ["bo@example.com"]
    client.logout()
    link = _link(invitation)
    assert "bo@example.com" in client.get(link).content.decode()
    # The invited address cannot be swapped for another.
    client.post(link, {"full_name": "Bo", "email": "eve@example.com", "password": PASSWORD})
    bo = User.objects.get(email="bo@example.com")
    assert not User.objects.filter(email="eve@example.com").exists()
    assert bo.membership.organisation == ada.membership.organisation
    client.get(_link(mail.outbox[-1]))
    assert client.get("/submissions/").status_code == 200


def test_sign_in_and_password_reset(client):
    ada = InnovatorFactory(email="ada@example.com", username="ada@example.com")
    response = client.post(
        "/account/sign-in/", {"username": "ada@example.com", "password": PASSWORD}
    )
    assert response["Location"] == "/submissions/"
    client.post("/account/sign-out/")
    client.post("/account/password-reset/", {"email": "ada@example.com"})
    link = _link(mail.outbox[-1])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(
        form_url, {"new_password1": "another-long-pass-99", "new_password2": "another-long-pass-99"}
    )
    ada.refresh_from_db()
    assert ada.check_password("another-long-pass-99")


def test_the_header_links_to_sign_in_and_submitting(client):
    html = client.get("/account/sign-in/").content.decode()
    assert 'href="/submissions/"' in html and "Submit a product" in html
    assert 'href="/account/sign-in/"' in html


def test_sign_in_asks_for_an_email_address(client):
    page = BeautifulSoup(client.get("/account/sign-in/").content, "html.parser")
    field = page.select_one("main input[name=username]")
    assert (field["type"], field["autocomplete"]) == ("email", "email")
    assert page.select_one(f"label[for={field['id']}]").get_text(strip=True) == "Email address"
    html = client.post("/account/sign-in/", {}).content.decode()
    assert "Enter your email address" in html and "Enter your password" in html
    assert "This field is required" not in html


def test_sign_in_takes_the_address_in_any_case(client):
    InnovatorFactory(email="ada@example.com", username="ada@example.com")
    response = client.post(
        "/account/sign-in/", {"username": " Ada@Example.com ", "password": PASSWORD}
    )
    assert response.status_code == 302
    wrong = client.post("/account/sign-in/", {"username": "ada@example.com", "password": "x"})
    assert "Enter the email address and password of your account" in wrong.content.decode()


def test_emails_go_through_the_configured_backend(db):
    user = InnovatorFactory(email="ada@example.com")
    send_templated_email("verify_email", {"user": user, "link": "https://x/verify"}, [user.email])
    assert mail.outbox[-1].subject == "Confirm your email address for the registry"
    assert "https://x/verify" in mail.outbox[-1].body
    assert Membership.objects.count() == 1


class RecordingSession:
    """Stands in for the HTTP transport of notifications-python-client only."""

    def __init__(self):
        self.calls = []

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))

        class Response:
            status_code = 201

            def raise_for_status(self):
                return None

            def json(self):
                return {"id": "notification-id"}

        return Response()


def test_notify_backend_shapes_the_request(settings):
    """A unit test of our adapter: the Notify client is real; only its HTTP session is
    replaced, so nothing leaves the machine."""
    service_id = "11111111-1111-1111-1111-111111111111"
    secret = "22222222-2222-2222-2222-222222222222"
    backend = NotifyEmailBackend(
        api_key=f"registry_test-{service_id}-{secret}", template_id="tmpl-123"
    )
    backend.open()
    session = RecordingSession()
    backend.client.request_session = session
    message = mail.EmailMessage("Your subject", "Your body", "from@example.com", ["a@example.com"])
    message.template_name = "submission_approved"
    assert backend.send_messages([message]) == 1
    method, url, kwargs = session.calls[0]
    assert method == "POST"
    assert url == "https://api.notifications.service.gov.uk/v2/notifications/email"
    assert json.loads(kwargs["data"]) == {
        "email_address": "a@example.com",
        "template_id": "tmpl-123",
        "personalisation": {"subject": "Your subject", "body": "Your body"},
        "reference": "submission_approved",
    }
    assert kwargs["headers"]["Authorization"].startswith("Bearer ")


def test_notify_backend_refuses_to_start_unconfigured(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.NOTIFY_API_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_API_KEY"):
        NotifyEmailBackend()


def test_demo_people_put_a_submission_in_the_queue(settings):
    from django.core.management import call_command

    from assessments.models import Submission

    settings.DEBUG = True
    call_command("ensure_demo_people", stdout=StringIO())
    call_command("ensure_demo_people", stdout=StringIO())  # a second run changes nothing
    submission = Submission.objects.get()
    assert submission.status == "submitted" and submission.reference
    assert User.objects.get(username="assessor1").has_perm("assessments.review_submission")
