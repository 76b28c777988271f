"""A search is logged once per visitor and words: reloading it (as adding a result to the
comparison does) is not another search. Another visitor's search is."""

import pytest

from search.engine import forget_failures
from search.models import SearchQueryLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_only(settings):
    settings.ELASTICSEARCH_URL = ""
    forget_failures()


def test_reloads_and_pages_of_one_search_are_logged_once(client):
    for _ in range(14):
        client.get("/search/", {"q": "virtual ward"})
    client.get("/search/", {"q": "virtual ward", "page": 2})
    client.get("/search/", {"q": "Virtual  Ward", "sort": "name"})
    assert SearchQueryLog.objects.filter(query="virtual ward").count() == 1

    client.get("/search/", {"q": "copd"})
    assert SearchQueryLog.objects.count() == 2


def test_another_visitor_searching_the_same_words_counts(client, django_user_model):
    from django.test import Client

    client.get("/search/", {"q": "virtual ward"})
    Client().get("/search/", {"q": "virtual ward"})
    assert SearchQueryLog.objects.filter(query="virtual ward").count() == 2
