"""Saved searches and the daily digest: what counts as newly matching (the search page's
own semantics, on Elasticsearch and on the database fallback), idempotence, and one-click
unsubscribing from the email."""

import io
import re

import pytest
from django.core import mail, signing
from django.core.management import call_command

from assessments.models import Standard
from buyers.alerts import UNSUBSCRIBE_SALT, save_search, unsubscribe_token
from buyers.models import AlertDelivery, SavedSearch
from registry.models import Category

from ..accounts.factories import UserFactory
from ..assessments.factories import ComplianceFactory
from ..registry.factories import ProductFactory
from ..search.asking import page_text
from ..search.indices import index_on_demand
from ..search.outage import CLOSED_PORT_URL, elasticsearch_at

pytestmark = [pytest.mark.elasticsearch, pytest.mark.django_db]


@pytest.fixture
def indexed(es_client, settings):
    yield from index_on_demand(es_client, settings)


def send_alerts():
    out = io.StringIO()
    call_command("send_alerts", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def listed(message):
    return re.findall(r"^(.+), by ", message.body, re.M)


def test_digest_lists_only_new_matches_and_never_twice(indexed):
    user = UserFactory(email="lead@example.nhs.uk")
    ProductFactory(title="Old ward monitor", summary="Virtual ward monitoring.")
    saved, _ = save_search(user, {"q": "ward"})
    ProductFactory(title="New ward monitor", summary="Virtual ward monitoring at home.")
    ProductFactory(title="Pharmacy stock tool", summary="Stock control for pharmacies.")
    indexed()

    output = send_alerts()
    assert "Checked 1 saved search: sent 1 digest listing 1 product." in output
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead@example.nhs.uk"]
    assert message.subject == "1 new product for your saved search: Search for \u2018ward\u2019"
    assert listed(message) == ["New ward monitor"]
    # The token is signed with a timestamp, so it is read back rather than made again.
    link = message.extra_headers["List-Unsubscribe"]
    assert link.startswith("<http://127.0.0.1:8000/alerts/unsubscribe/") and link.endswith("/>")
    token = link.removeprefix("<http://127.0.0.1:8000/alerts/unsubscribe/").removesuffix("/>")
    assert signing.loads(token, salt=UNSUBSCRIBE_SALT) == {"saved_search": saved.pk}
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/alerts/unsubscribe/{token}/" in message.body
    assert "http://127.0.0.1:8000/products/new-ward-monitor/" in message.body

    # Run again: nothing new, nothing sent.
    assert "sent 0 digests listing 0 products" in send_alerts()
    assert len(mail.outbox) == 1

    # Another new match: only it is listed.
    ProductFactory(title="Newer ward monitor", summary="A ward dashboard.")
    indexed()
    send_alerts()
    send_alerts()
    assert len(mail.outbox) == 2
    assert listed(mail.outbox[1]) == ["Newer ward monitor"]
    assert AlertDelivery.objects.filter(saved_search=saved).count() == 2


def test_filters_the_database_cannot_apply_are_honoured_on_elasticsearch(indexed):
    user = UserFactory()
    save_search(user, {"q": "ward", "standard": ["DCB0129"]})
    meets = ProductFactory(title="Safe ward", summary="Virtual ward.")
    ComplianceFactory(product=meets, standard=Standard.objects.get(code="DCB0129"))
    ProductFactory(title="Unassessed ward", summary="Virtual ward.")
    indexed()
    send_alerts()
    assert [listed(message) for message in mail.outbox] == [["Safe ward"]]


def test_with_elasticsearch_down_simple_searches_use_the_database(es_client):
    user = UserFactory()
    remote = Category.objects.get(slug="remote-monitoring-and-virtual-wards")
    other = Category.objects.exclude(pk=remote.pk).first()
    save_search(user, {"q": "ward", "category": [remote.slug]})
    ProductFactory(title="Ward in the right category", summary="Ward.", category=remote)
    ProductFactory(title="Ward in another category", summary="Ward.", category=other)
    with elasticsearch_at(CLOSED_PORT_URL):
        send_alerts()
        send_alerts()
    assert [listed(message) for message in mail.outbox] == [["Ward in the right category"]]


def test_with_elasticsearch_down_the_database_applies_every_filter(es_client):
    user = UserFactory()
    saved, _ = save_search(user, {"standard": ["DCB0129"]})
    product = ProductFactory(title="Safe product")
    ComplianceFactory(product=product, standard=Standard.objects.get(code="DCB0129"))
    ProductFactory(title="Unassessed product")
    with elasticsearch_at(CLOSED_PORT_URL):
        send_alerts()
    assert [listed(message) for message in mail.outbox] == [["Safe product"]]
    saved.refresh_from_db()
    assert saved.last_sent_at is not None


def test_one_click_unsubscribe_needs_no_sign_in(client, indexed):
    user = UserFactory()
    saved, _ = save_search(user, {"q": "ward"})
    address = f"/alerts/unsubscribe/{unsubscribe_token(saved)}/"
    page = client.get(address)
    assert page.status_code == 200
    assert "Stop these emails" in page_text(page)
    saved.refresh_from_db()
    assert saved.unsubscribed_at is None  # a link scanner's GET changes nothing

    # A mail program's one-click POST carries no CSRF token: the signed link is enough.
    response = client.post(address)
    assert "You will not get these emails again" in page_text(response)
    saved.refresh_from_db()
    assert saved.unsubscribed_at is not None

    ProductFactory(title="Ward monitor", summary="Ward.")
    indexed()
    send_alerts()
    assert mail.outbox == []


def test_forged_unsubscribe_tokens_are_refused(client):
    saved, _ = save_search(UserFactory(), {"q": "ward"})
    token = unsubscribe_token(saved)
    wrong_salt = signing.dumps({"saved_search": saved.pk}, salt="something else")
    for forged in [token[:-2] + "xx", "nonsense", wrong_salt]:
        response = client.post(f"/alerts/unsubscribe/{forged}/")
        assert response.status_code == 404
        assert "This link does not work" in page_text(response)
    saved.refresh_from_db()
    assert saved.unsubscribed_at is None


def test_saving_a_search_from_the_search_page(client):
    user = UserFactory()
    remote = Category.objects.get(slug="remote-monitoring-and-virtual-wards")
    client.force_login(user)
    page = client.get("/search/", {"q": "ward", "category": remote.slug})
    assert "Email me new matches" in page_text(page)
    response = client.post(
        f"/alerts/save/?q=ward&category={remote.slug}&page=3&sort=title", follow=True
    )
    saved = SavedSearch.objects.get(user=user)
    assert saved.query_string == f"q=ward&category={remote.slug}"
    assert saved.name == f"Search for \u2018ward\u2019; Category: {remote.name}"
    assert "Search saved" in page_text(response)
    client.post(f"/alerts/save/?q=ward&category={remote.slug}")
    assert SavedSearch.objects.filter(user=user).count() == 1
    listing = page_text(client.get("/alerts/"))
    assert f"Category: {remote.name}" in listing


def test_saving_needs_sign_in_and_only_owners_delete(client):
    response = client.post("/alerts/save/?q=ward")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=")
    assert not SavedSearch.objects.exists()
    owner, other = UserFactory(), UserFactory()
    saved, _ = save_search(owner, {"q": "ward"})
    client.force_login(other)
    assert client.post(f"/alerts/{saved.pk}/delete/").status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_each_product_once(postgres, indexed):
    import threading

    from django.db import connection

    from buyers.alerts import send_digests

    user = UserFactory()
    save_search(user, {"q": "ward"})
    ProductFactory(title="New ward monitor", summary="Virtual ward.")
    indexed()
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait()
            send_digests()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [listed(message) for message in mail.outbox] == [["New ward monitor"]]
    assert AlertDelivery.objects.count() == 1
