"""Asking the search page and the API as a user would, and reading their answers."""

from django.utils.html import strip_tags


def api_search(client, **params):
    response = client.get("/api/v1/search", params, headers={"accept": "application/json"})
    assert response.status_code == 200, response.content
    return response.json()


def titles(body):
    return [result["title"] for result in body["results"]]


def facet_counts(body, name):
    for facet in body["facets"]:
        if facet["name"] == name:
            return {option["value"]: option["count"] for option in facet["options"]}
    return {}


def page_text(response):
    """The page as a reader sees it: no tags (so highlighted words read whole), spaces
    collapsed."""
    return " ".join(strip_tags(response.content.decode()).split())
