"""'Talk to an organisation that uses this': the message is relayed by email to the
adopter's contact with Reply-To set to the buyer; no address is ever shown on the site;
each person may send a limited number a day."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from buyers.models import PeerMessage
from buyers.views import PEER_MESSAGES_PER_DAY

from ..accounts.factories import UserFactory
from ..registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    OrganisationFactory,
    ProductFactory,
)
from ..search.asking import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def adoption():
    product = ProductFactory(title="WardWatch")
    return AdoptionFactory(
        product=product,
        organisation=OrganisationFactory(name="Leeds Teaching Hospitals"),
        contact_email="digital.lead@leedsth.nhs.uk",
    )


def send(client, adoption, text="How long did the roll-out take?"):
    return client.post(f"/adoptions/{adoption.pk}/contact/", {"message": text})


def test_a_message_is_relayed_with_reply_to_the_buyer(client, adoption):
    buyer = UserFactory(email="buyer@mft.nhs.uk", first_name="Sam", last_name="Buyer")
    client.force_login(buyer)
    product_page = client.get(adoption.product.url).content.decode()
    assert f'href="/adoptions/{adoption.pk}/contact/"' in product_page
    assert "digital.lead@leedsth.nhs.uk" not in product_page

    form = client.get(f"/adoptions/{adoption.pk}/contact/")
    assert form.status_code == 200
    assert "digital.lead@leedsth.nhs.uk" not in form.content.decode()

    response = send(client, adoption)
    assert "Message sent" in page_text(response)
    assert "digital.lead@leedsth.nhs.uk" not in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["digital.lead@leedsth.nhs.uk"]
    assert message.reply_to == ["buyer@mft.nhs.uk"]
    assert message.subject == "A question about WardWatch from Sam Buyer"
    assert "How long did the roll-out take?" in message.body
    assert "They signed in with an NHS email address." in message.body
    assert "http://testserver/products/wardwatch/" in message.body
    assert PeerMessage.objects.get().adoption == adoption


def test_the_case_study_contact_is_used_when_the_adoption_has_none(client):
    product = ProductFactory()
    trust = OrganisationFactory()
    adoption = AdoptionFactory(product=product, organisation=trust, contact_email="")
    CaseStudyFactory(
        organisation=trust, products=[product], contact_email="case.contact@example.nhs.uk"
    )
    client.force_login(UserFactory())
    send(client, adoption)
    assert mail.outbox[0].to == ["case.contact@example.nhs.uk"]


def test_adopters_without_a_contact_offer_no_link(client):
    adoption = AdoptionFactory(contact_email="")
    client.force_login(UserFactory())
    assert (
        f"/adoptions/{adoption.pk}/contact/"
        not in client.get(adoption.product.url).content.decode()
    )
    response = send(client, adoption)
    assert response.status_code == 404
    assert "has no contact" in page_text(response)
    assert mail.outbox == []


def test_unconfirmed_adoptions_and_strangers_cannot_be_contacted(client):
    unconfirmed = AdoptionFactory(confirmed=False, contact_email="x@example.nhs.uk")
    response = send(client, unconfirmed)
    assert response.status_code == 302  # signed out: to sign in first
    client.force_login(UserFactory())
    assert send(client, unconfirmed).status_code == 404
    assert client.post("/adoptions/999999/contact/", {"message": "hi"}).status_code == 404
    assert mail.outbox == []


def test_empty_and_overlong_messages_are_refused(client, adoption):
    client.force_login(UserFactory())
    assert "Enter your message" in page_text(send(client, adoption, "   "))
    assert "2,000 characters or fewer" in page_text(send(client, adoption, "x" * 2001))
    assert mail.outbox == []


def test_message_flooding_is_stopped_with_a_clear_message(client, adoption):
    buyer = UserFactory()
    client.force_login(buyer)
    for number in range(PEER_MESSAGES_PER_DAY):
        assert "Message sent" in page_text(send(client, adoption, f"Question {number}"))
    response = send(client, adoption, "One more")
    assert response.status_code == 429
    assert f"You have sent {PEER_MESSAGES_PER_DAY} messages today" in page_text(response)
    assert len(mail.outbox) == PEER_MESSAGES_PER_DAY
    assert PeerMessage.objects.count() == PEER_MESSAGES_PER_DAY
    # The form page says so before anyone types, too.
    assert "Try again tomorrow" in page_text(client.get(f"/adoptions/{adoption.pk}/contact/"))

    # Another person is not affected; and the limit is a rolling day.
    client.force_login(UserFactory())
    assert "Message sent" in page_text(send(client, adoption))
    PeerMessage.objects.filter(sender=buyer).update(
        sent_at=timezone.now() - datetime.timedelta(hours=25)
    )
    client.force_login(buyer)
    assert "Message sent" in page_text(send(client, adoption))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_limit_holds_when_messages_are_sent_at_once(postgres):
    import threading

    from django.db import connection
    from django.test import Client

    adoption = AdoptionFactory(contact_email="lead@example.nhs.uk")
    buyer = UserFactory()
    for number in range(PEER_MESSAGES_PER_DAY - 1):
        PeerMessage.objects.create(sender=buyer, adoption=adoption, body=f"Earlier {number}")
    start = threading.Barrier(3)
    statuses = []

    def run():
        try:
            client = Client()
            client.force_login(buyer)
            start.wait()
            statuses.append(send(client, adoption).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 429, 429]
    assert PeerMessage.objects.filter(sender=buyer).count() == PEER_MESSAGES_PER_DAY
    assert len(mail.outbox) == 1
