"""Production serves: static collected with the production settings, gunicorn with them, and
the pages a visitor reaches answering with the right status and security headers (issue 12,
finding 2)."""

import re

import pytest
from django.db import connection

from assessments.models import ComplianceStatus, Standard
from tests.assessments.factories import ComplianceFactory
from tests.conftest import _require
from tests.registry.factories import ProductFactory

from .server import database_url, fetch, gunicorn, manage, production_env

pytestmark = [
    pytest.mark.postgres,
    # gunicorn, in another process, sees only committed rows; serialized_rollback puts back
    # the reference data the migrations load once the test's rows are flushed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def committed_catalogue(db):
    """Rows gunicorn, in another process, can see: committed, flushed after the test."""
    if connection.vendor != "postgresql":
        _require("PostgreSQL", f"the database is {connection.vendor}; set DATABASE_URL")
    product = ProductFactory(title="Ward Watch")
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="DCB0129"),
        status=ComplianceStatus.MET,
    )
    return product


@pytest.fixture
def served(committed_catalogue, production_static, tmp_path):
    env = production_env(
        DATABASE_URL=database_url(),
        STATIC_ROOT=production_static,
        DJANGO_SETTINGS_MODULE="tests.production.forced_error_settings",
    )
    with gunicorn(env, log_path=tmp_path / "gunicorn.log") as port:
        yield port, committed_catalogue, tmp_path / "gunicorn.log"


def assert_security_headers(headers, path):
    hsts = headers.get("strict-transport-security", "")
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts, path
    csp = headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp, path
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
    assert "frame-ancestors 'none'" in csp, path
    assert "camera=()" in headers.get("permissions-policy", ""), path
    assert headers.get("x-content-type-options") == "nosniff", path
    assert headers.get("x-frame-options") == "DENY", path
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", path


def test_gunicorn_with_production_settings_serves_pages_static_and_errors(served):
    port, product, log = served
    pages = {
        "/": (200, "Registry of proven digital health products"),
        product.url: (200, "Ward Watch"),
        "/search/?q=ward": (200, "Ward Watch"),
        "/products/": (200, "Ward Watch"),
        "/no-such-page/": (404, "Page not found"),
        "/forced-error/": (500, "Sorry, there is a problem with the service"),
    }
    for path, (status, words) in pages.items():
        got, headers, body = fetch(port, path)
        assert got == status, f"{path} answered {got}: {body[:300]!r}\n{log.read_text()[-2000:]}"
        assert words in body.decode(), path
        assert headers["content-type"].startswith("text/html"), path
        assert_security_headers(headers, path)

    got, headers, body = fetch(port, "/api/v1/search?q=ward")
    assert got == 200, body[:300]
    assert headers["content-type"].startswith("application/json")
    assert b"Ward Watch" in body
    assert_security_headers(headers, "/api/v1/search")

    # The stylesheet the home page links to has a hashed name, and gunicorn serves it for a year.
    _, _, home = fetch(port, "/")
    stylesheet = re.search(rb'href="(/static/css/registry\.[0-9a-f]{12}\.css)"', home)
    assert stylesheet, "the home page should link to the hashed stylesheet"
    got, headers, _ = fetch(port, stylesheet.group(1).decode())
    assert got == 200
    assert "max-age=315360000" in headers.get("cache-control", "")

    # A visitor who comes over plain HTTP is sent to HTTPS.
    got, headers, _ = fetch(port, "/", https=False)
    assert got == 301
    assert headers["location"].startswith("https://")


def test_check_deploy_is_clean_under_production_settings():
    checked = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(DATABASE_URL="postgres://registry@127.0.0.1:5432/registry"),
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout
