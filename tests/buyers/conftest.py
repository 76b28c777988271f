import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(email=None, **extra):
        number = next(counter)
        return get_user_model().objects.create_user(
            username=f"buyer{number}",
            email=email if email is not None else f"buyer{number}@example.nhs.uk",
            password="not-used-in-tests",
            **extra,
        )

    return make
