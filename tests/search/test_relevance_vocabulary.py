"""Users' own words against the real Elasticsearch: acronyms and their expansions, typos and
plurals. Every test here only searches one catalogue, so it is made and indexed once for the
module (the rest of the relevance tests, each with a catalogue of its own, are in
test_relevance.py)."""

import pytest

from .asking import api_search, titles
from .indices import index_everything, private_indices
from .test_relevance import product

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch]


@pytest.fixture(scope="module")
def vocabulary_catalogue(module_transaction, module_es_client):
    with private_indices(module_es_client):
        product("CarePoint EPR", "A hospital system for clinical notes and orders.")
        product("Notewise", "An electronic patient record for community services.")
        product(
            "FlowBoard", "Patient flow for the emergency department, from arrival to discharge."
        )
        product("Physio Pathway", "Exercise plans for musculoskeletal conditions.")
        product("MindSteps", "Online cognitive behavioural therapy for anxiety and low mood.")
        product("PracticeLink", "Messaging for general practice teams and their patients.")
        product("Lungwise", "Self-management for chronic obstructive pulmonary disease.")
        product("Remindr", "Text reminders that cut missed appointments.")
        product("SugarCoach", "Coaching for people living with type 2 diabetes.")
        product("Virtual ward hub", "Monitoring people at home on a virtual ward.")
        product("Unrelated rota", "Rostering for nursing staff.")
        index_everything(module_es_client)
        yield


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("EPR", {"CarePoint EPR", "Notewise"}),
        ("electronic patient record", {"CarePoint EPR", "Notewise"}),
        ("A&E", {"FlowBoard"}),
        ("accident and emergency", {"FlowBoard"}),
        ("MSK", {"Physio Pathway"}),
        ("CBT", {"MindSteps"}),
        ("GP", {"PracticeLink"}),
        ("COPD", {"Lungwise"}),
        ("DNA", {"Remindr"}),
        ("did not attend", {"Remindr"}),
    ],
)
def test_acronyms_find_their_expansions_and_back(client, vocabulary_catalogue, words, expected):
    found = titles(api_search(client, q=words))
    assert set(found[: len(expected)]) == expected, found
    assert "Unrelated rota" not in found


def test_misspellings_still_find_the_product(client, vocabulary_catalogue):
    body = api_search(client, q="diabetis")
    assert titles(body)[0] == "SugarCoach"
    # Found through the correction, which is offered and marked in the result.
    assert body["did_you_mean"] == "diabetes"
    assert "<mark>diabetes</mark>" in body["results"][0]["summary_html"]


def test_plurals_find_the_singular(client, vocabulary_catalogue):
    assert titles(api_search(client, q="wards"))[0] == "Virtual ward hub"
    assert "Remindr" in titles(api_search(client, q="reminder"))
