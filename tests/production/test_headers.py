"""Security headers on every response (issue 12, finding 8): a Content-Security-Policy with no
inline script or style on the public site (a looser one, documented, for the CMS only),
Permissions-Policy, `Cache-Control: no-store` on personal pages, HSTS configurable."""

import pytest
from django.test import Client

from .server import manage, production_env

pytestmark = pytest.mark.django_db


def test_public_pages_get_a_strict_policy_and_stay_cacheable(client):
    response = client.get("/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_public_site_has_no_inline_script_for_the_policy_to_block(client):
    html = client.get("/").content.decode()
    assert "<script>" not in html
    assert '<script type="module">' not in html


def test_signed_in_pages_are_never_stored(client, django_user_model):
    person = django_user_model.objects.create_user("buyer", "buyer@example.nhs.uk", "pw")
    client.force_login(person)
    for path in ("/", "/products/", "/submissions/"):
        response = client.get(path)
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path


def test_private_pages_are_never_stored_even_for_visitors():
    visitor = Client()
    for path in ("/account/login/", "/account/register/", "/shortlist/", "/compare/"):
        response = visitor.get(path)
        assert "no-store" in response["Cache-Control"], path


def test_the_cms_gets_its_own_looser_policy(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" in policy  # Wagtail's admin needs it: documented in docs/operations.md
    assert "object-src 'none'" in policy
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "True True 31536000"), ({"SECURE_HSTS_PRELOAD": "false"}, "True False 31536000")],
)
def test_hsts_include_subdomains_and_preload_are_on_and_configurable(env, expected):
    shown = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_SECONDS)",
        env=production_env(DATABASE_URL="postgres://registry@127.0.0.1:5432/registry", **env),
    )
    assert shown.stdout.strip().splitlines()[-1] == expected, shown.stderr
