"""The database engine's full-text search (search/fulltext.py): its words follow every change
with no worker and no Elasticsearch, it ranks by where a word is, and it helps with
spelling only where a word is one the registry never uses."""

import pytest
from django.core.management import call_command

from search import fulltext
from search.models import SearchText

from ..registry.factories import CaseStudyFactory, ProductFactory, SupplierFactory
from .asking import api_search, titles

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def without_elasticsearch(settings):
    settings.ELASTICSEARCH_URL = ""


def test_postgresql_has_the_weighted_vector_and_the_trigram_index(postgres):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname IN "
            "('search_text_vector', 'search_word_trigrams') ORDER BY indexname"
        )
        definitions = [row[0] for row in cursor.fetchall()]
    assert "USING gin (vector)" in definitions[0]
    assert "gin_trgm_ops" in definitions[1]


def test_an_edit_and_an_unpublish_reach_the_database_search_at_once(client):
    product = ProductFactory(title="Woundwise", summary="Photographs of pressure ulcers.")
    assert titles(api_search(client, q="ulcers")) == ["Woundwise"]

    product.summary = "Measures leg wounds from a phone camera."
    product.save_revision().publish()
    assert titles(api_search(client, q="ulcers")) == []
    assert titles(api_search(client, q="leg wounds")) == ["Woundwise"]

    product.refresh_from_db()
    product.unpublish()
    assert titles(api_search(client, q="wounds")) == []
    assert not SearchText.objects.filter(page_id=product.pk, stale=False).exists()


def test_a_supplier_renamed_is_found_by_its_new_name(client):
    supplier = SupplierFactory(name="Acme Health Ltd")
    ProductFactory(title="Ward board", supplier=supplier)
    supplier.name = "Borealis Digital Ltd"
    supplier.save()
    assert titles(api_search(client, q="borealis")) == ["Ward board"]
    assert titles(api_search(client, q="acme")) == []


def test_a_change_made_while_the_words_were_rebuilt_is_not_lost(monkeypatch):
    product = ProductFactory(title="Sleepwell", summary="Therapy for insomnia.")
    fulltext.refresh_stale()
    fulltext.mark_stale("product", [product.pk])
    real_build = fulltext.build_sources

    def build_while_another_change_commits(kind, ids):
        built = list(real_build(kind, ids))
        fulltext.mark_stale("product", [product.pk])  # committed by someone else meanwhile
        return built

    monkeypatch.setattr(fulltext, "build_sources", build_while_another_change_commits)
    fulltext.refresh_stale()
    assert SearchText.objects.get(page_id=product.pk).stale  # left for the next search


def test_a_word_in_the_name_ranks_above_the_same_word_in_the_summary_or_a_case_study(client):
    in_body = ProductFactory(title="Harbour notes", summary="Clinic letters.")
    CaseStudyFactory(title="Letters in Leeds", summary="Dictation cut.", products=[in_body])
    ProductFactory(title="Clinic letters", summary="Templates for outpatients.")
    ProductFactory(title="Outpatient hub", summary="Sends clinic letters by email.")
    found = titles(api_search(client, q="letters", kind="product"))
    assert found[0] == "Clinic letters"
    assert set(found) == {"Clinic letters", "Harbour notes", "Outpatient hub"}


def test_a_question_finds_products_by_its_meaningful_words(client):
    ProductFactory(title="Quitnow", summary="A stop smoking service on the phone.")
    ProductFactory(title="Ward board", summary="Beds and discharges at a glance.")
    assert titles(api_search(client, q="what can help people who want to stop smoking")) == [
        "Quitnow"
    ]


def test_plurals_and_other_forms_of_a_word_find_each_other(client):
    ProductFactory(title="Rota planner", summary="Schedules shifts for community nurses.")
    assert titles(api_search(client, q="scheduling nurse shift")) == ["Rota planner"]


def test_a_misspelling_that_finds_nothing_is_corrected_and_says_so(client):
    ProductFactory(title="Insomnia programme", summary="Sleep therapy for adults.")
    body = api_search(client, q="insomina")
    assert (body["did_you_mean"], body["corrected"]) == ("insomnia", True)
    assert titles(body) == ["Insomnia programme"]
    page = client.get("/search/", {"q": "insomina"}).content.decode()
    assert "Showing results for \u2018insomnia\u2019" in page


@pytest.mark.parametrize(
    "words",
    [
        "observations for frightened dogs",  # a correct word the registry never uses
        "veterinary",  # near no word the registry holds
        "observation",  # another form of a word it holds
    ],
)
def test_a_correctly_spelt_query_is_never_corrected(client, words):
    ProductFactory(title="Bedside observations", summary="Vital signs charted on wards.")
    assert api_search(client, q=words)["did_you_mean"] is None


def test_a_misspelt_word_beside_words_that_find_something_replaces_nothing(client):
    ProductFactory(title="Sleep clinic", summary="Sleep therapy for adults.")
    body = api_search(client, q="sleep insomina")
    assert body["did_you_mean"] is None
    assert titles(body) == ["Sleep clinic"]


def test_rebuild_database_writes_every_page_and_drops_pages_gone_offline(capsys):
    kept = ProductFactory(title="Kept")
    gone = ProductFactory(title="Gone")
    SearchText.objects.all().delete()
    SearchText.objects.create(kind="product", page_id=gone.pk, title="gone", stale=False)
    gone.unpublish()
    SearchText.objects.filter(page_id=gone.pk).update(stale=False)  # as if never marked

    call_command("search_index", "rebuild-database", "--kind", "product", verbosity=0)

    rows = dict(SearchText.objects.values_list("page_id", "stale"))
    assert rows == {kept.pk: False}
    assert "rebuilt" in capsys.readouterr().out


def test_seed_demo_writes_the_database_search_words(client):
    call_command("seed_demo", products=3, no_search_index=True, verbosity=0)
    assert SearchText.objects.filter(kind="product", stale=False).count() == 3
    title = SearchText.objects.filter(kind="product").values_list("title", flat=True).first()
    first_word = title.split()[0].strip(".")
    assert api_search(client, q=first_word)["total"] >= 1
