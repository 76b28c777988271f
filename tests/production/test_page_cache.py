"""The shared cache of anonymous pages (config/page_cache.py): served to every visitor
without a session, dropped by a publish, never past midnight in London, never to a signed-in
person, and never with another visitor's CSRF token (issue 12, finding 10)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client

from assessments.models import Standard
from config.page_cache import HIT_HEADER
from registry.models import ProductPage
from shared_cache import lifetime, seconds_until_london_midnight
from tests.assessments.factories import ComplianceFactory
from tests.registry.factories import ProductFactory

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def cached(response):
    return response.get(HIT_HEADER)


def status_of(client, product, standard_name):
    soup = BeautifulSoup(client.get(product.url).content, "html.parser")
    row = next(tr for tr in soup.find(id="standards").find_all("tr") if standard_name in tr.text)
    return row.find(class_="nhsuk-tag").get_text(strip=True)


def test_an_anonymous_page_is_served_from_the_cache_until_a_publish_changes_it(
    client, django_capture_on_commit_callbacks
):
    product = ProductFactory(title="Ward Watch")
    assert cached(client.get(product.url)) == "miss"

    ProductPage.objects.filter(pk=product.pk).update(title="Changed behind the cache's back")
    again = client.get(product.url)
    assert cached(again) == "hit"
    assert b"Ward Watch" in again.content

    page = ProductPage.objects.get(pk=product.pk)
    page.title = "Ward Watch Plus"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    after_publish = client.get(product.url)
    assert cached(after_publish) == "miss"
    assert b"Ward Watch Plus" in after_publish.content


def test_a_standard_saved_by_the_scaling_team_drops_the_cached_pages(
    client, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    client.get(product.url)
    standard = Standard.objects.get(code="DCB0129")
    standard.name = "Clinical risk management (manufacturer), renamed"
    with django_capture_on_commit_callbacks(execute=True):
        standard.save()
    assert cached(client.get(product.url)) == "miss"


def test_a_cached_page_never_shows_a_lapsed_standard_as_met(client):
    product = ProductFactory()
    last_day = datetime.date(2026, 6, 15)
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="CE"),
        assessed_on=datetime.date(2025, 6, 16),
        expires_on=last_day,
    )
    name = Standard.objects.get(code="CE").name
    with time_machine.travel(datetime.datetime(2026, 6, 15, 23, 58, tzinfo=LONDON), tick=False):
        assert status_of(client, product, name) == "Met"
        assert cached(client.get(product.url)) == "hit"
    with time_machine.travel(datetime.datetime(2026, 6, 16, 0, 0, 1, tzinfo=LONDON), tick=False):
        assert status_of(client, product, name) == "Expired"


@pytest.mark.parametrize(
    ("london_time", "seconds"),
    [
        (datetime.datetime(2026, 1, 10, 23, 59, 30), 30),
        (datetime.datetime(2026, 7, 10, 23, 0, 0), 3600),  # summer time
        (datetime.datetime(2026, 3, 29, 0, 30, 0), 22 * 3600 + 1800),  # the clocks go forward
    ],
)
def test_entries_live_until_the_next_london_midnight_at_the_latest(london_time, seconds):
    now = london_time.replace(tzinfo=LONDON)
    assert seconds_until_london_midnight(now) == seconds
    assert lifetime(now) == min(600, seconds)


def test_a_page_from_the_cache_carries_a_csrf_token_that_works_for_its_visitor(client):
    product = ProductFactory()
    client.get(product.url)  # someone else's visit fills the cache

    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(product.url)
    assert cached(page) == "hit"
    token = BeautifulSoup(page.content, "html.parser").find(
        "input", attrs={"name": "csrfmiddlewaretoken"}
    )["value"]
    assert token != "__page_cache_csrf_token__"
    added = visitor.post(
        "/compare/add/", {"product": product.pk, "csrfmiddlewaretoken": token}, follow=True
    )
    assert added.status_code == 200
    assert product.title in added.content.decode()
    assert "/compare/" in added.redirect_chain[-1][0]


def test_signed_in_people_and_visitors_with_a_session_get_fresh_private_pages(
    client, django_user_model
):
    product = ProductFactory(title="Ward Watch")
    client.get(product.url)
    ProductPage.objects.filter(pk=product.pk).update(title="Fresh title")

    person = django_user_model.objects.create_user("buyer", "buyer@example.nhs.uk", "pw")
    signed_in = Client()
    signed_in.force_login(person)
    response = signed_in.get(product.url)
    assert cached(response) is None
    assert b"Fresh title" in response.content
    assert "no-store" in response["Cache-Control"]

    with_comparison = Client()
    with_comparison.post("/compare/add/", {"product": product.pk})
    response = with_comparison.get(product.url)
    assert cached(response) is None
    assert b"Fresh title" in response.content


def test_a_visitor_who_searched_is_still_served_pages_from_the_cache(client):
    from search.views import LOGGED_SEARCHES_SESSION_KEY

    product = ProductFactory(title="Ward Watch")
    client.get(product.url)  # someone else's visit fills the cache
    ProductPage.objects.filter(pk=product.pk).update(title="Changed behind the cache's back")

    searcher = Client()
    searcher.get("/search/?q=ward")
    assert searcher.session.keys() == {LOGGED_SEARCHES_SESSION_KEY}
    response = searcher.get(product.url)
    assert cached(response) == "hit"
    assert b"Ward Watch" in response.content

    # Once the session holds anything else (here a comparison), the pages are fresh again.
    searcher.post("/compare/add/", {"product": product.pk})
    fresh = searcher.get(product.url)
    assert cached(fresh) is None
    assert b"Changed behind the cache" in fresh.content


def test_search_is_never_cached_so_every_search_is_recorded(client):
    client.get("/search/?q=ward")
    assert cached(client.get("/search/?q=ward")) is None


def test_when_the_page_cache_cannot_be_read_pages_are_served_uncached(client, monkeypatch):
    from django.db import OperationalError

    def unreadable(*args, **kwargs):
        raise OperationalError("could not read the cache table")

    product = ProductFactory(title="Ward Watch")
    client.get("/")  # the home page's fragments are stored while the cache works
    monkeypatch.setattr("config.page_cache.read_page", unreadable)
    monkeypatch.setattr("shared_cache.read_fragment", unreadable)
    response = client.get(product.url)
    assert response.status_code == 200
    assert b"Ward Watch" in response.content
    assert cached(response) is None
    home = client.get("/")
    assert home.status_code == 200
    assert b"Browse by category" in home.content


def test_a_page_from_the_cache_costs_one_query_and_skips_the_middleware_it_does_not_need(
    client, django_assert_num_queries, monkeypatch
):
    product = ProductFactory()
    client.get(product.url)
    client.cookies.clear()
    monkeypatch.setattr(
        "django.contrib.auth.middleware.AuthenticationMiddleware.process_request",
        lambda *args: pytest.fail("authentication ran for a page from the cache"),
    )
    with django_assert_num_queries(1):
        response = client.get(product.url)
    assert cached(response) == "hit"
    # The headers the middleware around it adds are all there.
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


def test_after_a_publish_by_another_worker_the_new_version_is_read(
    client, django_capture_on_commit_callbacks
):
    import shared_cache

    product = ProductFactory(title="Ward Watch")
    client.get(product.url)
    shared_cache.bump_version()  # as a publish on another worker does: this one has not seen it
    ProductPage.objects.filter(pk=product.pk).update(title="Ward Watch Plus")
    response = client.get(product.url)
    assert cached(response) == "miss"
    assert b"Ward Watch Plus" in response.content
    assert cached(client.get(product.url)) == "hit"


def signed_in_client(django_user_model):
    person = django_user_model.objects.create_user("buyer", "buyer@example.nhs.uk", "pw")
    signed_in = Client()
    signed_in.force_login(person)
    return signed_in


def browse_counts(response):
    soup = BeautifulSoup(response.content, "html.parser")
    listed = soup.find(id="browse-category").find_next("ul")
    return [" ".join(item.get_text().split()) for item in listed.find_all("li")]


def test_signed_in_home_pages_reuse_the_catalogue_counts_until_a_publish_changes_them(
    django_user_model, django_capture_on_commit_callbacks
):
    first = ProductFactory()
    signed_in = signed_in_client(django_user_model)
    before = signed_in.get("/")
    assert cached(before) is None  # the page itself is never cached for a signed-in person
    assert any("(1 product)" in text for text in browse_counts(before))

    # A product that went live without a publish (behind the cache's back) is not counted yet:
    # the counts came from the cache.
    hidden = ProductFactory(live=False, category=first.category)
    ProductPage.objects.filter(pk=hidden.pk).update(live=True)
    assert browse_counts(signed_in.get("/")) == browse_counts(before)

    with django_capture_on_commit_callbacks(execute=True):
        ProductFactory(category=first.category)
    after = browse_counts(signed_in.get("/"))
    assert any("(3 products)" in text for text in after)


def test_with_the_page_cache_off_fragments_touch_no_cache(client, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 0
    ProductFactory()
    monkeypatch.setattr(
        "shared_cache.read_fragment",
        lambda *args: pytest.fail("the cache was read with it off"),
    )
    response = client.get("/")
    assert response.status_code == 200
    assert any("(1 product)" in text for text in browse_counts(response))
