"""What search keeps in the database.

SearchQueryLog is the demand signal for the scaling team: what people search for, and what
they search for and cannot find. It holds no personal data on purpose (no user, IP address,
session or user agent), so it needs no retention rules beyond the period the report shows.
"""

from django.db import connection, models, transaction
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


# --- The lay-term vocabulary (search/analysis.py) ---------------------------------------------


class LayTerm(models.Model):
    """Words people use for what the registry names otherwise ("kids" for paediatrics,
    "bad back" for musculoskeletal), edited by the scaling team.

    Each becomes a one-way synonym rule: the lay words find the clinical ones, never the
    other way round, so a clinical search is not widened by everyday words. A change takes
    effect at the next `manage.py search_index rebuild` (the database engine reads it at
    once); `search_index status` and the admin show the vocabulary's version and the one
    the index was built with.
    """

    words = models.CharField(
        max_length=200,
        unique=True,
        help_text="What people type, separated by commas, such as: kids, kid, children's. "
        "Words are matched by their stem, so leave out a form that shares its stem with a word "
        "the registry uses everywhere (“caring” would also catch every search for “care”).",
    )
    means = models.CharField(
        max_length=300,
        help_text="The words the registry uses for it, separated by commas, such as: "
        "paediatric, paediatrics, children.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["words"]
        verbose_name = "lay term"

    def __str__(self):
        return f"{self.words} → {self.means}"

    def clean(self):
        from django.core.exceptions import ValidationError

        for name in ("words", "means"):
            if not split_terms(getattr(self, name)):
                raise ValidationError({name: "Enter at least one word."})
            if any(mark in getattr(self, name) for mark in ("=>", "#", "\\")):
                raise ValidationError({name: "Use words and commas only."})

    @property
    def rule(self):
        """The synonym rule, in the Solr format of search/synonyms.txt."""
        words = split_terms(self.words)
        return (
            f"{', '.join(words)} => {', '.join(dict.fromkeys([*words, *split_terms(self.means)]))}"
        )


def split_terms(text):
    return [term for term in (" ".join(part.lower().split()) for part in text.split(",")) if term]


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


# --- The queue's sequence, which also numbers document versions (see search/queue.py) --------


def draw_version():
    """A number from the queue's id sequence, larger than every id handed out before it.

    Documents are written with such a number as their external version (see the module
    docstring of search/queue.py for why it is drawn at write time).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id'))",
                [IndexChange._meta.db_table],
            )
            return cursor.fetchone()[0]
    # SQLite's AUTOINCREMENT never reuses an id, so inserting a row is a sequence.
    with transaction.atomic():
        marker = IndexChange.objects.create(kind="", object_id=0)
        IndexChange.objects.filter(pk=marker.pk).delete()
    return marker.pk


def current_sequence():
    """The last number handed out by the queue sequence (0 when none has been)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass)",
                [IndexChange._meta.db_table],
            )
        else:
            cursor.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = %s", [IndexChange._meta.db_table]
            )
        row = cursor.fetchone()
    return (row[0] if row else None) or 0


# --- The database engine's full-text table (search/fulltext.py) -------------------------------


class SearchText(models.Model):
    """A searchable page's words, in four parts by weight, for the database engine.

    Built by search.fulltext from the same source as the page's Elasticsearch document. On
    PostgreSQL a stored generated column `vector` (tsvector, weighted A to D) with a GIN
    index sits beside these columns; on SQLite an FTS5 table over them, kept in step by
    triggers. Both are made by migration 0006 and are unknown to the ORM.
    """

    kind = models.CharField(max_length=16, choices=IndexKind.choices)
    page_id = models.PositiveIntegerField()
    title = models.TextField(blank=True, help_text="Weight A: the name.")
    names = models.TextField(
        blank=True, help_text="Weight B: supplier or organisation, category, settings, areas."
    )
    summary = models.TextField(blank=True, help_text="Weight C: the summary and tags.")
    body = models.TextField(blank=True, help_text="Weight D: the body and case-study text.")
    stale = models.BooleanField(
        default=True, help_text="Changed since these words were built: rebuilt before a search."
    )
    version = models.PositiveIntegerField(
        default=1, help_text="One more at each change, so a rebuild never hides a newer one."
    )

    class Meta:
        verbose_name = "search text"
        constraints = [
            models.UniqueConstraint(fields=["kind", "page_id"], name="search_text_one_per_page")
        ]
        indexes = [
            models.Index(fields=["stale"], name="search_text_stale", condition=models.Q(stale=True))
        ]

    def __str__(self):
        return f"{self.kind} {self.page_id}"


class SearchWord(models.Model):
    """A word the searchable text holds, as written: what a misspelling is corrected to
    (with a trigram index on PostgreSQL, pg_trgm)."""

    word = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return self.word
