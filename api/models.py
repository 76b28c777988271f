"""The changes feed's table and the API keys the scaling team issues.

`Change` rows are written by api/signals.py in the transaction of the change itself, so a
change and its feed entry commit or roll back together. A row gets its place in the feed
(`seq`) only once it has committed: see api/changes.py for why ids cannot be the order.
"""

import hashlib
import secrets

from django.db import models
from django.utils import timezone

from registry.choices import ChangeAction, ChangeKind

#: Actions after which a mirror holds the record (fetched from the API), or drops it.
KEEP_ACTIONS = frozenset({ChangeAction.CREATED, ChangeAction.UPDATED})


class Change(models.Model):
    """One change to one public record. `object_id` is the record's permanent id in the API."""

    seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=16, choices=ChangeAction.choices)
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["kind", "object_id", "recorded_at"], name="change_object_time"),
            models.Index(
                fields=["id"], name="change_unsequenced", condition=models.Q(seq__isnull=True)
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} {self.action}"


class ChangeFeedState(models.Model):
    """One row: the last day whose compliance expiries are in the feed (api.changes)."""

    expiries_recorded_through = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"Expiries recorded through {self.expiries_recorded_through}"


KEY_PREFIX_LENGTH = 8


def hash_key(raw_key):
    # Keys are 32 random bytes, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKey(models.Model):
    """A key that lifts the anonymous rate limit. Only its hash is kept: the key itself is
    shown once, when it is made."""

    name = models.CharField(
        max_length=200, help_text="Who it is for and what they build, such as 'ICS formulary'."
    )
    contact_email = models.EmailField(
        blank=True, help_text="Who to tell about changes to the API. Never published."
    )
    prefix = models.CharField(max_length=KEY_PREFIX_LENGTH, editable=False, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None

    def issue(self):
        """Give the key a new secret and return it: the only time it can be read."""
        raw_key = secrets.token_urlsafe(32)
        self.prefix = raw_key[:KEY_PREFIX_LENGTH]
        self.key_hash = hash_key(raw_key)
        return raw_key

    @classmethod
    def find(cls, raw_key):
        return cls.objects.filter(key_hash=hash_key(raw_key), revoked_at__isnull=True).first()
