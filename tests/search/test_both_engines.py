"""What both engines must agree on: a standard counts only while unexpired on the day of
the search (no job, no reindex), DTAC is derived by proof.rules, every filter is applied,
and the API answers with the same fields from either engine."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings

from assessments.models import Standard
from proof.rules import DTAC_REQUIREMENTS
from search.models import LayTerm

from ..assessments.factories import ComplianceFactory
from ..registry.factories import AdoptionFactory, ProductFactory
from .asking import api_search, facet_counts, titles
from .indices import index_on_demand

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch]

TODAY = datetime.date.today()
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def indexed(es_client, settings):
    yield from index_on_demand(es_client, settings)


def on_database():
    return override_settings(ELASTICSEARCH_URL="")


def dtac_everything(product, expires_on=None):
    """Every standard DTAC rests on, met; `expires_on` for Cyber Essentials Plus."""
    codes = {code for group in DTAC_REQUIREMENTS for code in group[:1]}
    for code in sorted(codes):
        ComplianceFactory(
            product=product,
            standard=Standard.objects.get(code=code),
            expires_on=expires_on if code == "CE" else None,
        )


@pytest.fixture
def catalogue():
    lapsing = ProductFactory(title="Lapsing tomorrow", summary="Wound care records.")
    dtac_everything(lapsing, expires_on=TODAY)
    steady = ProductFactory(title="Steady", summary="Wound care records for nurses.")
    dtac_everything(steady)
    only_row = ProductFactory(title="Only the DTAC row", summary="Wound care photographs.")
    ComplianceFactory(product=only_row, standard=Standard.objects.get(code="DTAC"))
    AdoptionFactory(product=steady)
    return lapsing, steady, only_row


@pytest.mark.parametrize("engine", ["elasticsearch", "database"])
def test_a_standard_stops_counting_the_day_after_it_expires_with_no_reindex(
    client, indexed, catalogue, engine
):
    indexed()
    context = on_database() if engine == "database" else override_settings()
    with context:
        body = api_search(client, q="wound", standard="CE")
        assert body["engine"] == engine
        assert set(titles(body)) == {"Lapsing tomorrow", "Steady"}
        assert facet_counts(api_search(client, q="wound"), "dtac") == {
            "passed": 2,
            "not_passed": 1,
        }
        by_title = {result["title"]: result for result in api_search(client, q="wound")["results"]}
        assert by_title["Lapsing tomorrow"]["dtac_passed"] is True
        assert by_title["Only the DTAC row"]["dtac_passed"] is False  # derived, not typed
        counted = by_title["Lapsing tomorrow"]["standards_met_count"]

        # A day later, nothing has been reindexed or queued.
        with mock.patch("django.utils.timezone.localdate", return_value=TOMORROW):
            assert titles(api_search(client, q="wound", standard="CE")) == ["Steady"]
            body = api_search(client, q="wound")
            assert facet_counts(body, "standard")["CE"] == 1
            assert facet_counts(body, "dtac") == {"passed": 1, "not_passed": 2}
            assert titles(api_search(client, q="wound", dtac="passed")) == ["Steady"]
            by_title = {result["title"]: result for result in body["results"]}
            assert by_title["Lapsing tomorrow"]["dtac_passed"] is False
            assert by_title["Lapsing tomorrow"]["standards_met_count"] == counted - 1


# Which words each engine marks may differ (stems, synonyms); the text does not.
HIGHLIGHTS = ("title_html", "summary_html", "snippet_html", "snippet_label")
QUERIES = [
    {"q": "wound"},
    {"q": "wound care", "dtac": "passed"},
    {"q": "wound", "standard": "DSPT"},
    {"q": "records", "adoption": "1-4"},
    {"q": "", "standard": "CE"},
    {"q": "nurses"},
    {"q": "photograph"},
    {"q": "Wound care records", "dtac": "not_passed"},
    {"q": "wound", "standard": "CE", "adoption": "none"},
    {"q": "wound", "standard": ["CE", "DSPT"], "sort": "title"},
]


@pytest.mark.parametrize("params", QUERIES)
def test_both_engines_answer_with_the_same_fields_and_filters(client, indexed, catalogue, params):
    indexed()
    on_elasticsearch = api_search(client, **params)
    with on_database():
        on_database_engine = api_search(client, **params)
    assert on_elasticsearch["engine"] == "elasticsearch"
    assert on_database_engine["engine"] == "database"

    def comparable(body):
        return {
            "total": body["total"],
            "filters": body["filters"],
            "results": sorted(
                (
                    {
                        key: value
                        for key, value in result.items()
                        if key
                        not in ("title_html", "summary_html", "snippet_html", "snippet_label")
                    }
                    for result in body["results"]
                ),
                key=lambda result: result["url"],
            ),
            "facets": {
                facet["name"]: {option["value"]: option["count"] for option in facet["options"]}
                for facet in body["facets"]
                if facet["name"] != "kind"
            },
        }

    assert comparable(on_database_engine) == comparable(on_elasticsearch)
    # Nothing is listed as applied that was not: every filter narrowed the results.
    assert set(on_database_engine["filters"]) == {
        name for name in params if name not in ("q", "sort")
    }
    assert set(on_database_engine["results"][0]) == set(on_elasticsearch["results"][0])


@pytest.mark.parametrize("engine", ["elasticsearch", "database"])
def test_a_correctly_spelt_word_the_registry_never_uses_is_not_corrected(client, indexed, engine):
    ProductFactory(title="Bedside observations", summary="Vital signs charted on wards.")
    indexed()
    with engine_context(engine):
        body = api_search(client, q="observations for frightened dogs")
    assert body["did_you_mean"] is None
    assert titles(body) == ["Bedside observations"]


@pytest.mark.parametrize("engine", ["elasticsearch", "database"])
def test_a_misspelling_that_finds_nothing_shows_results_for_the_correction(client, indexed, engine):
    ProductFactory(title="Insomnia programme", summary="Sleep therapy for adults.")
    indexed()
    with engine_context(engine):
        body = api_search(client, q="insomina")
        page = client.get("/search/", {"q": "insomina"}).content.decode()
    assert body["engine"] == engine
    assert body["did_you_mean"] == "insomnia"
    assert body["corrected"] is True
    assert titles(body) == ["Insomnia programme"]
    assert "Showing results for \u2018insomnia\u2019" in page


def test_a_lay_term_edited_in_the_admin_applies_at_the_next_rebuild(client, indexed, capsys):
    ProductFactory(title="Chest clinic", summary="Care for people with bronchiectasis.")
    indexed()
    assert "Chest clinic" not in titles(api_search(client, q="phlegm"))
    LayTerm.objects.create(words="phlegm, coughing up mucus", means="bronchiectasis")
    call_command("search_index", "status")
    assert "run `manage.py search_index rebuild --kind product` to apply" in capsys.readouterr().out
    indexed()
    assert titles(api_search(client, q="phlegm")) == ["Chest clinic"]
    with on_database():  # the database engine reads the vocabulary at once
        assert titles(api_search(client, q="phlegm")) == ["Chest clinic"]


def engine_context(engine):
    return on_database() if engine == "database" else override_settings()


@pytest.mark.parametrize("engine", ["elasticsearch", "database"])
def test_an_exact_match_outranks_the_same_match_through_a_synonym(client, indexed, engine):
    ProductFactory(title="Ward board", summary="A hospital at home service board.")
    ProductFactory(title="Ward list", summary="A virtual ward service board.")
    indexed()
    with engine_context(engine):
        body = api_search(client, q="virtual ward service")
    assert body["engine"] == engine
    assert titles(body) == ["Ward list", "Ward board"]


@pytest.mark.parametrize("engine", ["elasticsearch", "database"])
def test_a_name_written_as_one_word_is_found_by_its_words(client, indexed, engine):
    ProductFactory(title="BreatheWell", summary="Oxygen levels at home.")
    indexed()
    with engine_context(engine):
        assert titles(api_search(client, q="breathe well")) == ["BreatheWell"]


@pytest.mark.parametrize("engine", ["elasticsearch", "database"])
def test_lay_words_and_acronyms_find_what_the_registry_calls_them(client, indexed, engine):
    ProductFactory(title="Calm path", summary="Online therapy for anxiety.")
    ProductFactory(title="Ward list", summary="A&E attendances at a glance.")
    indexed()
    with engine_context(engine):
        assert titles(api_search(client, q="worried")) == ["Calm path"]
        assert titles(api_search(client, q="emergency department")) == ["Ward list"]
