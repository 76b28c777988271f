"""Limits per IP address without a key, higher with a key issued in the admin."""

import pytest
from django.urls import reverse

from api.models import ApiKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.API_RATE_LIMIT_ANONYMOUS = 3
    settings.API_RATE_LIMIT_WITH_KEY = 6


def test_anonymous_callers_get_429_with_retry_after(client, limits):
    for _ in range(3):
        assert client.get("/api/v1/standards").status_code == 200
    response = client.get("/api/v1/standards")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "too_many_requests"
    # Another address has its own allowance.
    other = client.get("/api/v1/standards", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200
    assert other["X-RateLimit-Remaining"] == "2"


def test_a_key_lifts_the_limit_until_it_is_revoked(client, limits):
    key = ApiKey(name="ICS formulary")
    raw_key = key.issue()
    key.save()
    assert raw_key not in (key.key_hash, key.prefix)
    assert ApiKey.objects.filter(key_hash=raw_key).count() == 0

    for _ in range(6):
        assert client.get("/api/v1/standards", headers={"x-api-key": raw_key}).status_code == 200
    assert client.get("/api/v1/standards", headers={"x-api-key": raw_key}).status_code == 429
    key.refresh_from_db()
    assert key.last_used_at is not None

    ApiKey.objects.filter(pk=key.pk).update(revoked_at=key.last_used_at)
    refused = client.get("/api/v1/standards", headers={"x-api-key": raw_key})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorised"


def test_the_admin_shows_a_new_key_once_and_keeps_only_its_hash(admin_client):
    add_url = reverse("wagtailsnippets_api_apikey:add")
    response = admin_client.post(
        add_url, {"name": "Supplier CRM", "contact_email": "dev@example.com"}, follow=True
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="Supplier CRM")
    shown = [str(message) for message in response.context["messages"]]
    raw_key = next(word for text in shown for word in text.split() if word.startswith(key.prefix))
    assert ApiKey.find(raw_key) == key
    listing = admin_client.get(reverse("wagtailsnippets_api_apikey:list"))
    assert raw_key not in listing.content.decode()

    edit_url = reverse("wagtailsnippets_api_apikey:edit", args=[key.pk])
    admin_client.post(edit_url, {"name": "Supplier CRM", "contact_email": "", "revoke": "on"})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert ApiKey.find(raw_key) is None


def test_behind_a_trusted_proxy_each_caller_has_their_own_allowance(client, limits, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for _ in range(3):
        response = client.get(
            "/api/v1/standards", headers={"x-forwarded-for": "198.51.100.1"}, **proxy
        )
        assert response.status_code == 200
    assert (
        client.get(
            "/api/v1/standards", headers={"x-forwarded-for": "198.51.100.1"}, **proxy
        ).status_code
        == 429
    )
    # Another caller through the same proxy is not refused for the first one's calls...
    other = client.get("/api/v1/standards", headers={"x-forwarded-for": "198.51.100.2"}, **proxy)
    assert other.status_code == 200
    # ...and a caller cannot choose its address by adding to the header the proxy appends to.
    spoofed = client.get(
        "/api/v1/standards", headers={"x-forwarded-for": "203.0.113.9, 198.51.100.1"}, **proxy
    )
    assert spoofed.status_code == 429
