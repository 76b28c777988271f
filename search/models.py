"""What search keeps in the database.

SearchQueryLog is the demand signal for the scaling team: what people search for, and what
they search for and cannot find. It holds no personal data on purpose (no user, IP address,
session or user agent), so it needs no retention rules beyond the period the report shows.
"""

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone


class SearchEngine(models.TextChoices):
    ELASTICSEARCH = "elasticsearch", "Elasticsearch"
    DATABASE = "database", "Database (simplified search)"


class SearchChannel(models.TextChoices):
    PAGE = "page", "Search page"
    API = "api", "JSON API"


class SearchQueryLog(models.Model):
    """One search: the normalised words, the filters chosen and what came back."""

    QUERY_MAX_LENGTH = 256

    created_at = models.DateTimeField(default=timezone.now)
    query = models.CharField(
        max_length=QUERY_MAX_LENGTH,
        blank=True,
        help_text="The words searched for, trimmed, in lower case, spaces collapsed.",
    )
    filters = models.JSONField(default=dict, blank=True, help_text="Facet values chosen.")
    result_count = models.PositiveIntegerField()
    latency_ms = models.PositiveIntegerField(help_text="Time to answer, in milliseconds.")
    engine = models.CharField(max_length=16, choices=SearchEngine.choices)
    channel = models.CharField(max_length=8, choices=SearchChannel.choices)

    class Meta:
        verbose_name = "search"
        verbose_name_plural = "searches"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at", "query"], name="search_log_period_query")]

    def __str__(self):
        return f"{self.query or '(filters only)'} ({self.result_count} results)"


# --- The index queue (search/queue.py) ------------------------------------------------------


class IndexKind(models.TextChoices):
    PRODUCT = "product", "Product"
    CASE_STUDY = "case_study", "Case study"
    GUIDE = "guide", "Best-practice guide"


class IndexChange(models.Model):
    """A document that must be brought up to date in the index: re-indexed if its page is
    live and public, deleted otherwise.

    The signal handlers in search/signals.py write a row in the same transaction as the
    change, so a publish never waits for Elasticsearch and a change is never lost: the
    worker (`manage.py search_worker`) deletes the row only once Elasticsearch has the
    document. The id is the change's sequence number; documents are written with external
    versions drawn from the same sequence, so an older write never replaces a newer one.
    """

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=16, choices=IndexKind.choices)
    object_id = models.PositiveIntegerField(help_text="The page id.")
    created_at = models.DateTimeField(db_default=Now())
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField(
        db_default=Now(), help_text="Not retried before this time (backoff after a failure)."
    )
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "index change"
        indexes = [models.Index(fields=["available_at"], name="search_queue_available")]

    def __str__(self):
        return f"#{self.id} {self.kind} {self.object_id}"
