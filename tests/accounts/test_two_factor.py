"""Two-factor authentication for everyone with admin access (issue 12): enrolment with an
authenticator app and recovery codes, a code at each sign-in, enforced by a setting that
production turns on."""

import importlib
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.assessments.factories import AssessorFactory, InnovatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enforced(settings):
    settings.ADMIN_2FA_REQUIRED = True
    return settings


def _current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enrol(client):
    page = client.get("/account/two-factor/?next=/admin/")
    assert "Set up an authenticator app" in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(
        "/account/two-factor/", {"code": _current_code(device), "next": "/admin/"}
    )
    return device, response


def test_an_assessor_must_set_up_an_app_before_the_admin(client, enforced):
    assessor = AssessorFactory()
    client.force_login(assessor)
    response = client.get("/admin/assessments/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/?next=%2Fadmin%2Fassessments%2F"
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "scan this QR code" in page
    device, response = _enrol(client)
    html = response.content.decode()
    assert "Save your recovery codes" in html
    assert len(re.findall(r"<li><code>\w+</code></li>", html)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/assessments/").status_code == 200


def test_each_sign_in_asks_for_a_code_and_refuses_a_wrong_one(client, enforced):
    assessor = AssessorFactory()
    client.force_login(assessor)
    device, _ = _enrol(client)
    client.logout()
    client.force_login(assessor)
    assert client.get("/admin/").status_code == 302
    response = client.post("/account/two-factor/", {"code": "000000", "next": "/admin/"})
    html = response.content.decode()
    assert "Enter your security code" in html and "The code is not right" in html
    assert client.get("/admin/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows repeated guesses
    device.throttle_reset(commit=False)  # as if the pause had passed
    device.last_t = -1  # the code was used at enrolment; a new period gives a new one
    device.save()
    response = client.post(
        "/account/two-factor/", {"code": _current_code(device), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_works_once(client, enforced):
    assessor = AssessorFactory()
    client.force_login(assessor)
    _, response = _enrol(client)
    code = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())[0]
    for expected in ("/admin/", None):
        client.logout()
        client.force_login(assessor)
        response = client.post("/account/two-factor/", {"code": code, "next": "/admin/"})
        if expected:
            assert response["Location"] == expected
        else:
            assert (
                response.status_code == 200 and "The code is not right" in response.content.decode()
            )


def test_evidence_downloads_for_the_scaling_team_need_the_code(client, enforced):
    assessor = AssessorFactory()
    client.force_login(assessor)
    response = client.get("/submissions/1/files/1/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")


def test_people_without_admin_access_are_never_asked(client, enforced):
    client.force_login(InnovatorFactory())
    assert client.get("/submissions/").status_code == 200


def test_an_off_site_next_address_is_ignored(client, enforced):
    client.force_login(AssessorFactory())
    _, response = _enrol_with_next(client, "https://evil.example.com/")
    assert "https://evil.example.com/" not in response.content.decode()


def _enrol_with_next(client, next_url):
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(confirmed=False)
    return device, client.post(
        "/account/two-factor/", {"code": _current_code(device), "next": next_url}
    )


def test_off_by_default_outside_production(client):
    client.force_login(AssessorFactory())
    assert client.get("/admin/assessments/").status_code == 200


def test_production_settings_require_it(monkeypatch):
    for name, value in {
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "registry.example.nhs.uk",
        "DATABASE_URL": "postgres://u:p@localhost/db",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ADMIN_2FA_REQUIRED", raising=False)
    production = importlib.import_module("config.settings.production")
    production = importlib.reload(production)
    assert production.ADMIN_2FA_REQUIRED is True
