"""A long table (every listing whose DTAC lapses soon, at national scale thousands) is shown
a page at a time on its panel's page, the first page on the dashboard, and whole in its CSV."""

import pytest
from django.utils import timezone

from insight.models import PanelSnapshot
from insight.views import TABLE_ROWS

from .test_dashboard_permissions import admin_user

pytestmark = pytest.mark.django_db

ROWS = TABLE_ROWS + 7


@pytest.fixture
def long_table():
    rows = [[f"Product {n:03d}", "1 Jan 2027", n] for n in range(1, ROWS + 1)]
    PanelSnapshot.objects.update_or_create(
        panel="compliance-health",
        defaults={
            "computed_at": timezone.now(),
            "took_ms": 1,
            "data": {
                "sections": [
                    {
                        "key": "dtac-lapsing",
                        "title": "Listings whose DTAC state will lapse in the next 90 days",
                        "columns": ["Product", "Passed until", "Days left"],
                        "rows": rows,
                        "chart": None,
                        "note": "",
                    }
                ]
            },
        },
    )


def test_a_long_table_is_shown_a_page_at_a_time(client, long_table):
    client.force_login(admin_user("Assessors"))
    first = client.get("/admin/insight/compliance-health/").content.decode()
    assert "Product 001" in first and f"Product {TABLE_ROWS:03d}" in first
    assert f"Product {TABLE_ROWS + 1:03d}" not in first
    assert f"Rows 1 to {TABLE_ROWS} of {ROWS}" in first
    assert "?dtac-lapsing-page=2" in first

    second = client.get("/admin/insight/compliance-health/", {"dtac-lapsing-page": 2})
    second = second.content.decode()
    assert f"Product {TABLE_ROWS + 1:03d}" in second and f"Product {ROWS:03d}" in second
    assert "Product 001<" not in second
    # A page past the end or not a number shows the nearest real page, not an error.
    junk = client.get("/admin/insight/compliance-health/", {"dtac-lapsing-page": "x"})
    assert junk.status_code == 200 and "Product 001" in junk.content.decode()


def test_the_dashboard_shows_the_first_page_and_the_csv_every_row(client, long_table):
    client.force_login(admin_user("Editors"))
    dashboard = client.get("/admin/insight/").content.decode()
    assert f"Rows 1 to {TABLE_ROWS} of {ROWS}: every row is on" in dashboard
    assert "the compliance health page</a> and in the CSV" in dashboard
    assert f"Product {TABLE_ROWS + 1:03d}" not in dashboard
    body = client.get("/admin/insight/compliance-health/dtac-lapsing.csv").content.decode()
    assert len(body.splitlines()) == ROWS + 1
