import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no requests counted against it."""
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def api_get(client):
    def get(path, params=None, **environ):
        return client.get(f"/api/v1{path}", params or {}, **environ)

    return get
