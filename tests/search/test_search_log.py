"""Every search is recorded for the scaling team, without personal data, and the record
never costs a user their search. The admin report shows top and zero-result queries."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from search.engine import forget_failures
from search.models import SearchQueryLog

from ..registry.factories import ProductFactory
from .asking import api_search, page_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_only")]


@pytest.fixture
def database_only(settings):
    # The log is written the same way whichever engine answers; the database one needs no
    # cluster, so these tests run anywhere.
    settings.ELASTICSEARCH_URL = ""
    forget_failures()


def test_a_search_is_recorded_with_its_filters_count_latency_and_engine(client):
    ProductFactory(title="Virtual ward platform")
    response = client.get(
        "/search/", {"q": "  Virtual   WARD ", "esf_tier": "B", "category": "no-such-slug"}
    )
    assert response.status_code == 200
    (log,) = SearchQueryLog.objects.all()
    assert log.query == "virtual ward"
    assert log.filters == {"esf_tier": ["B"]}  # the unknown category was ignored
    assert log.result_count == 1
    assert log.latency_ms >= 0
    assert log.engine == "database"
    assert log.channel == "page"
    assert timezone.now() - log.created_at < datetime.timedelta(minutes=1)


def test_the_api_is_recorded_too(client):
    api_search(client, q="ward")
    assert SearchQueryLog.objects.get().channel == "api"


def test_no_personal_data_is_kept():
    fields = {field.name for field in SearchQueryLog._meta.get_fields()}
    assert fields == {
        "id",
        "created_at",
        "query",
        "filters",
        "result_count",
        "latency_ms",
        "engine",
        "channel",
    }


def test_long_queries_are_recorded_at_the_maximum_length(client):
    client.get("/search/", {"q": "word " * 200})
    assert len(SearchQueryLog.objects.get().query) <= SearchQueryLog.QUERY_MAX_LENGTH


def test_opening_the_page_or_turning_a_page_is_not_a_new_search(client):
    client.get("/search/")
    client.get("/search/", {"q": "ward", "page": 2})
    assert not SearchQueryLog.objects.exists()


def test_a_failure_to_record_never_breaks_the_search(client, caplog):
    ProductFactory(title="Virtual ward platform")
    with mock.patch.object(SearchQueryLog.objects, "create", side_effect=RuntimeError("disk")):
        response = client.get("/search/", {"q": "ward"})
    assert response.status_code == 200
    assert "Virtual ward platform" in page_text(response)
    assert "Could not record a search" in caplog.text


def _log(query, count, days_ago=0):
    log = SearchQueryLog.objects.create(
        query=query, result_count=count, latency_ms=5, engine="elasticsearch", channel="page"
    )
    SearchQueryLog.objects.filter(pk=log.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago, minutes=1)
    )


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.nhs.uk", "pw")
    client.force_login(user)
    return client


@override_settings(WAGTAILADMIN_BASE_URL="http://testserver")
def test_the_report_shows_top_and_zero_result_queries_for_a_period(admin_client):
    for _ in range(3):
        _log("virtual ward", 12)
    _log("virtual ward", 0)
    _log("epr", 4, days_ago=2)
    _log("frailty app", 0, days_ago=3)
    _log("frailty app", 0, days_ago=20)
    _log("old news", 3, days_ago=60)

    week = admin_client.get("/admin/reports/search-terms/", {"period": "7"})
    assert week.status_code == 200
    rows = week.context["object_list"]
    assert [(row["query"], row["searches"], row["no_results"]) for row in rows] == [
        ("virtual ward", 4, 1),
        ("epr", 1, 0),  # equal counts: the most recently searched first
        ("frailty app", 1, 1),
    ]

    quarter_nothing = admin_client.get(
        "/admin/reports/search-terms/", {"period": "90", "show": "none"}
    )
    rows = quarter_nothing.context["object_list"]
    assert [(row["query"], row["searches"]) for row in rows] == [
        ("frailty app", 2),
        ("virtual ward", 1),
    ]
    page = quarter_nothing.content.decode()
    assert "Search terms" in page
    assert "frailty app" in page


def test_the_report_defaults_to_30_days_and_is_in_the_reports_menu(admin_client):
    _log("frailty app", 0, days_ago=20)
    _log("old news", 3, days_ago=60)
    report = admin_client.get("/admin/reports/search-terms/")
    assert [row["query"] for row in report.context["object_list"]] == ["frailty app"]
    dashboard = admin_client.get("/admin/").content.decode()
    assert "/admin/reports/search-terms/" in dashboard


def test_the_report_exports_a_spreadsheet(admin_client):
    _log("virtual ward", 2)
    response = admin_client.get("/admin/reports/search-terms/", {"export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    assert "Words searched for" in content
    assert "virtual ward" in content
