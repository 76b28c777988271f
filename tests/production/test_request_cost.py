"""What the pages the page cache cannot serve cost (issue 12, capacity): signed-in pages share
the parts that are the same for everyone from the shared cache but keep what is their own, a
comparison reads its products' proof together, and the query count of each page the load
bench visits is pinned so it cannot creep back (bench/request_cost.py measures them on a
seeded catalogue)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments.models import Standard
from buyers.models import ShortlistItem
from proof.product import ProductProof
from registry.models import EvidenceItem, ProductPage
from tests.assessments.factories import ComplianceFactory
from tests.registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    EvidenceFactory,
    OutcomeFactory,
    ProductFactory,
)

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def signed_in(django_user_model, username):
    person = django_user_model.objects.create_user(username, f"{username}@example.nhs.uk", "pw")
    client = Client()
    client.force_login(person)
    return client, person


def text_of(response):
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text().split())


def test_signed_in_people_share_a_product_proof_but_each_sees_their_own_shortlist(
    django_user_model,
):
    product = ProductFactory(title="Ward Watch")
    evidence = EvidenceFactory(product=product, title="A trial in three wards")
    first, first_person = signed_in(django_user_model, "first")
    second, _ = signed_in(django_user_model, "second")
    ShortlistItem.objects.create(user=first_person, product=product)

    assert "On your shortlist" in text_of(first.get(product.url))
    # Changed behind the cache's back (a real change publishes, which drops the cached parts):
    # the second person's proof comes from the shared cache, their buttons are their own.
    EvidenceItem.objects.filter(pk=evidence.pk).update(title="Changed behind the cache")
    page = text_of(second.get(product.url))
    assert "A trial in three wards" in page
    assert "Changed behind the cache" not in page
    assert "On your shortlist" not in page
    assert "Add to shortlist" in page


def test_a_signed_in_product_page_never_shows_a_lapsed_standard_as_met(django_user_model):
    product = ProductFactory()
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="CE"),
        assessed_on=datetime.date(2025, 6, 16),
        expires_on=datetime.date(2026, 6, 15),
    )
    name = Standard.objects.get(code="CE").name
    client, _ = signed_in(django_user_model, "buyer")

    def status():
        soup = BeautifulSoup(client.get(product.url).content, "html.parser")
        row = next(tr for tr in soup.find(id="standards").find_all("tr") if name in tr.text)
        return row.find(class_="nhsuk-tag").get_text(strip=True)

    with time_machine.travel(datetime.datetime(2026, 6, 15, 23, 58, tzinfo=LONDON), tick=False):
        assert status() == "Met"
        assert status() == "Met"  # the second time from the shared cache
    with time_machine.travel(datetime.datetime(2026, 6, 16, 0, 0, 1, tzinfo=LONDON), tick=False):
        assert status() == "Expired"


def test_the_listing_a_signed_in_person_gets_from_the_cache_carries_their_own_csrf_token(
    django_user_model,
):
    ProductFactory(title="Ward Watch")
    first, _ = signed_in(django_user_model, "first")
    second, _ = signed_in(django_user_model, "second")

    def token(client):
        soup = BeautifulSoup(client.get("/products/").content, "html.parser")
        assert "Ward Watch" in soup.get_text()
        return soup.find(id="buyer-actions").find("input", attrs={"name": "csrfmiddlewaretoken"})[
            "value"
        ]

    first_token = token(first)
    assert token(second) != first_token
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def proof_shape(proof):
    return {
        "evidence": [item.pk for item in proof.evidence],
        "adoptions": [adoption.pk for adoption in proof.adoptions],
        "case_studies": [study.pk for study in proof.case_studies],
        "standards": [
            (label, [(standard.pk, row.pk if row else None) for standard, row in rows])
            for label, rows in proof.standard_groups.items()
        ],
        "met": proof.standards_met_count,
        "outcomes": proof.outcomes_across_sites,
    }


def test_proofs_loaded_together_are_the_proofs_loaded_one_at_a_time():
    first, second, third = ProductFactory(), ProductFactory(), ProductFactory()
    for product, standard in ((first, "DCB0129"), (second, "CE")):
        ComplianceFactory(product=product, standard=Standard.objects.get(code=standard))
        EvidenceFactory(product=product)
        AdoptionFactory(product=product)
    shared = CaseStudyFactory(products=[first, second])  # one case study about both
    OutcomeFactory(case_study=shared)
    CaseStudyFactory(products=[second])
    products = list(ProductPage.objects.filter(pk__in=[first.pk, second.pk, third.pk]))

    together = ProductProof.load_many(products)
    assert [proof.product for proof in together] == products
    for product, proof in zip(products, together, strict=True):
        assert proof_shape(proof) == proof_shape(ProductProof.load(product))
    assert [len(proof.case_studies) for proof in together] == [1, 2, 0]


def compare_queries(client, products):
    address = "/compare/?products=" + ",".join(product.slug for product in products)
    client.get(address)  # warm per-process caches (site root, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured)


def test_a_comparison_of_four_products_costs_the_queries_of_a_comparison_of_two(client):
    products = [ProductFactory() for _ in range(4)]
    for product in products:
        EvidenceFactory(product=product)
        AdoptionFactory(product=product)
        OutcomeFactory(case_study=CaseStudyFactory(products=[product]))
    two = compare_queries(client, products[:2])
    four = compare_queries(client, products)
    assert four == two, f"{two} queries to compare two products, {four} to compare four"
    assert two <= 12, f"comparing two products needs {two} queries"


@pytest.fixture
def catalogue(db):
    product = ProductFactory(title="Ward Watch")
    EvidenceFactory(product=product)
    AdoptionFactory(product=product)
    OutcomeFactory(case_study=CaseStudyFactory(products=[product]))
    ComplianceFactory(product=product, standard=Standard.objects.get(code="DCB0129"))
    for _ in range(3):
        ProductFactory()
    return product


# The most queries each page the load bench's signed-in buyer visits may take once its shared
# parts are in the cache (measured: session, user, membership, shortlist, permissions for
# the CMS bar, Wagtail's routing and view restrictions, the page's own personal parts, and one
# read of the cache table per shared part).
SIGNED_IN_QUERIES = {"home": 11, "product": 21, "listing": 17, "shortlist": 13}


@pytest.mark.parametrize("page", sorted(SIGNED_IN_QUERIES))
def test_signed_in_pages_the_load_bench_visits_keep_their_query_count(
    page, catalogue, django_user_model, django_assert_max_num_queries
):
    client, person = signed_in(django_user_model, "buyer")
    ShortlistItem.objects.create(user=person, product=catalogue)
    address = {
        "home": "/",
        "product": catalogue.url,
        "listing": "/products/",
        "shortlist": "/shortlist/",
    }[page]
    assert client.get(address).status_code == 200  # fills the shared cache
    with django_assert_max_num_queries(SIGNED_IN_QUERIES[page]):
        response = client.get(address)
    assert response.status_code == 200
    assert ("4 products are listed" if page == "home" else "Ward Watch") in text_of(response)


def test_a_signed_in_listing_does_not_count_the_catalogue_again_until_a_publish(
    catalogue, django_user_model, django_capture_on_commit_callbacks
):
    client, _ = signed_in(django_user_model, "buyer")

    def counted(response_of):
        with CaptureQueriesContext(connection) as captured:
            response = response_of()
        assert response.status_code == 200
        return any(
            "COUNT(" in query["sql"] and "registry_productpage" in query["sql"]
            for query in captured.captured_queries
        )

    assert counted(lambda: client.get("/products/"))
    assert not counted(lambda: client.get("/products/"))
    with django_capture_on_commit_callbacks(execute=True):
        ProductFactory(title="Home Check")
    assert counted(lambda: client.get("/products/"))
    assert "5 products" in text_of(client.get("/products/"))


def test_an_editors_preview_shows_the_draft_not_the_live_page_s_shared_parts(django_user_model):
    product = ProductFactory(title="Ward Watch", website="https://live.example.nhs.uk/")
    client, _ = signed_in(django_user_model, "buyer")
    client.get(product.url)  # the live page's shared parts are now in the cache

    draft = ProductPage.objects.get(pk=product.pk)
    draft.website = "https://draft.example.nhs.uk/"
    draft.save_revision()
    preview = draft.make_preview_request()
    assert preview.status_code == 200
    assert "https://draft.example.nhs.uk/" in preview.content.decode()
    assert "https://live.example.nhs.uk/" in client.get(product.url).content.decode()
