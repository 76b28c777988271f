"""Model fields that name a person."""

from django.conf import settings
from django.db import models


def person_who_acted(related_name="+", **options):
    """The person who did something (answered, reviewed, decided, added): the record outlives
    their account, naming no one once it is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name=related_name,
        **options,
    )
