"""The database engine's full-text index: one row of words per searchable page, matched by
PostgreSQL full-text search or by SQLite FTS5.

Why a table of its own: what a page is found by comes from several tables (its supplier,
category, care settings, clinical areas, case studies), and a generated column cannot read
across tables. So each live, public page has one `SearchText` row holding its words in four
parts by weight, built from the very source its Elasticsearch document is built from
(search.building.build_sources), so both engines search the same words:

- A: the name (and its words when written as one: "BreatheWell");
- B: the supplier or organisation, category, care settings and how it is deployed, clinical
  areas, the products a case study or guide is about;
- C: the summary and tags;
- D: the body, case-study text and outcomes.

Migration 0006 adds what the ORM does not know: on PostgreSQL a stored generated `vector`
(tsvector, 'english', weighted A to D) with a GIN index, and pg_trgm's trigram index on
`SearchWord`; on SQLite an FTS5 table over the four parts (porter stemming), kept in step
with this table by triggers.

Kept in step with no job: the signal handlers that write the Elasticsearch outbox
(search.signals, through search.queue.enqueue) mark the row of every page a change touches
stale, in the change's own transaction, whether or not Elasticsearch is configured. Every
database search first rebuilds the stale rows (`refresh_stale`): the page's words if it is
live and public, no row if not. Each mark adds one to the row's version and a rebuild writes
only if the version is still the one it read, so a change committed while a search was
rebuilding stays stale for the next one. Bulk loads that skip signals (seed_demo) call
`rebuild` for what they wrote; `manage.py search_index rebuild-database` rebuilds every row.
"""

import logging
import math
import re

from django.db import connection
from django.db.models.functions import Length

from .building import build_sources, indexable_pages
from .models import SearchText, SearchWord

logger = logging.getLogger(__name__)

TEXT_TABLE = SearchText._meta.db_table
FTS_TABLE = f"{TEXT_TABLE}_fts"
WORDS_TABLE = SearchWord._meta.db_table
PARTS = ("title", "names", "summary", "body")
# Which fields of a document's source go in which part, per kind.
SOURCE_FIELDS = {
    "product": {
        "title": ("title", "title_words"),
        "names": ("supplier_name", "category_name", "setting_words", "clinical_areas"),
        "summary": ("summary",),
        "body": ("body", "case_study_titles", "case_study_outcomes"),
    },
    "case_study": {
        "title": ("title",),
        "names": ("organisation_name", "product_names"),
        "summary": ("summary", "tags"),
        "body": ("body", "outcomes"),
    },
    "guide": {
        "title": ("title",),
        "names": ("product_names",),
        "summary": ("summary", "tags"),
        "body": ("body",),
    },
}
# Stale rows rebuilt before one search; more than this waits for the next searches (a
# large load should run `search_index rebuild-database`).
REFRESH_LIMIT = 2000
WORD = re.compile(r"[a-z]{3,40}")
NO_BRACKETS = str.maketrans("<>", "  ")
AMPERSAND_E = re.compile(r"\ba\s*&\s*e\b", re.IGNORECASE)


def normalise(text):
    """Lower case, "A&E" as the one word "aande" (as the index's char filter and the
    synonym list write it), any other "&" as "and", no angle brackets (PostgreSQL's parser
    would skip what sits between them as a tag), single spaces: for the stored words and for
    the words searched, alike."""
    text = AMPERSAND_E.sub("aande", text.lower())
    return " ".join(text.replace("&", " and ").translate(NO_BRACKETS).split())


def _joined(value):
    if isinstance(value, list | tuple):
        return ". ".join(str(item) for item in value if item)
    return str(value or "")


def parts_of(kind, source):
    """{part: text} for a document's source."""
    return {
        part: normalise(". ".join(filter(None, (_joined(source.get(f)) for f in fields))))
        for part, fields in SOURCE_FIELDS[kind].items()
    }


def words_of(parts):
    return {word for text in parts.values() for word in WORD.findall(text)}


def _add_words(words):
    if words:
        SearchWord.objects.bulk_create(
            [SearchWord(word=word) for word in sorted(words)],
            batch_size=2000,
            ignore_conflicts=True,
        )


# --- Keeping it in step -----------------------------------------------------------------------


def mark_stale(kind, ids):
    """Mark these pages' rows stale (making rows for pages that have none). Call it inside
    the transaction of the change, as search.queue.enqueue does."""
    from django.db.models import F

    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return
    SearchText.objects.filter(kind=kind, page_id__in=ids).update(
        stale=True, version=F("version") + 1
    )
    SearchText.objects.bulk_create(
        [SearchText(kind=kind, page_id=pk) for pk in ids], batch_size=1000, ignore_conflicts=True
    )


def refresh_stale(limit=REFRESH_LIMIT):
    """Rebuild the stale rows (at most `limit`); returns how many were looked at."""
    stale = list(
        SearchText.objects.filter(stale=True)
        .order_by("pk")
        .values_list("pk", "kind", "page_id", "version")[:limit]
    )
    if not stale:
        return 0
    words = set()
    for kind in SOURCE_FIELDS:
        rows = [row for row in stale if row[1] == kind]
        if not rows:
            continue
        built = {
            int(pk): parts_of(kind, source)
            for pk, source in build_sources(kind, ids=[page_id for _, _, page_id, _ in rows])
        }
        for pk, _, page_id, version in rows:
            parts = built.get(page_id)
            unchanged = SearchText.objects.filter(pk=pk, version=version)
            if parts is None:
                unchanged.delete()
            else:
                unchanged.update(stale=False, **parts)
                words |= words_of(parts)
    _add_words(words)
    if len(stale) == limit:
        logger.warning(
            "More than %s search rows are stale: run `manage.py search_index rebuild-database`",
            limit,
        )
    return len(stale)


def rebuild(kind, ids=None, progress=None):
    """Write the rows of these pages (every page of the kind when `ids` is None) from the
    database as it is now, and drop the rows of pages no longer live and public. Returns
    how many rows were written."""
    rows = []
    written = 0

    def flush():
        nonlocal rows, written
        if not rows:
            return
        SearchText.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["kind", "page_id"],
            update_fields=[*PARTS, "stale"],
        )
        words = set()
        for row in rows:
            words |= words_of({part: getattr(row, part) for part in PARTS})
        _add_words(words)
        written += len(rows)
        if progress:
            progress(len(rows))
        rows = []

    for pk, source in build_sources(kind, ids=ids):
        rows.append(SearchText(kind=kind, page_id=int(pk), stale=False, **parts_of(kind, source)))
        if len(rows) >= 500:
            flush()
    flush()
    gone = SearchText.objects.filter(kind=kind).exclude(
        page_id__in=indexable_pages(kind).values("pk")
    )
    if ids is not None:
        gone = gone.filter(page_id__in=list(ids))
    gone.delete()
    return written


# --- Matching ----------------------------------------------------------------------------------


def _plain(term):
    """A term as words only: no quotes or operators reach either engine's query syntax."""
    return " ".join(re.sub(r"[^\w']+", " ", term).split())


def match(kinds, groups, minimum, exact_terms):
    """{kind: {page id: (weight of the groups matched, rank)}} for the pages of these kinds
    matching at least `minimum` of the groups (each a list of terms, any one of which
    matches).

    On PostgreSQL a group weighs more the fewer pages it matches (BM25's inverse document
    frequency, which ts_rank_cd lacks), so a page with the rare words of a question ranks
    above one with its common ones; on SQLite each group weighs one (bm25 weighs rare words
    already). Equal weights are ranked by the engine (ts_rank_cd or bm25), a match on
    `exact_terms` (the words as typed) counting again, so it ranks above the same match
    through a synonym. Measured on bench/relevance.py: the weights take PostgreSQL from
    0.890 to 0.897 and SQLite from 0.919 to 0.916, so SQLite counts groups."""
    groups = [terms for terms in ([_plain(t) for t in g] for g in groups) if any(terms)]
    groups = [[term for term in terms if term] for terms in groups]
    exact_terms = [term for term in (_plain(t) for t in exact_terms) if term]
    found = {kind: {} for kind in kinds}
    if not groups or not kinds:
        return found
    refresh_stale()
    if connection.vendor == "postgresql":
        rows = _match_postgres(kinds, groups, minimum, exact_terms)
    else:
        rows = _match_sqlite(kinds, groups, minimum, exact_terms)
    if connection.vendor == "postgresql":
        pages = SearchText.objects.filter(kind__in=list(kinds)).count()
        weights = [_rarity(sum(row[2][n] for row in rows), pages) for n in range(len(groups))]
    else:
        weights = [1.0] * len(groups)  # bm25 weighs rare words already
    for kind, page_id, flags, rank in rows:
        found[kind][page_id] = (
            round(sum(weight for weight, hit in zip(weights, flags, strict=True) if hit), 6),
            rank,
        )
    return found


def _rarity(matching, pages):
    return math.log(1 + (pages - matching + 0.5) / (matching + 0.5))


def _websearch(terms):
    """websearch_to_tsquery's text for any of these terms, each a phrase."""
    return " OR ".join(f'"{term}"' for term in terms)


# ts_rank_cd's weights for D, C, B and A.
POSTGRES_WEIGHTS = "{0.1, 0.25, 0.5, 1.0}"
# ts_rank_cd's normalisation: 1 divides by 1 + log(length), so a long body does not win by
# size alone.
POSTGRES_NORMALISATION = 1


def _match_postgres(kinds, groups, minimum, exact_terms):
    # Each query is parsed once (in `queries`), not once per row.
    parsed = ", ".join(
        f"websearch_to_tsquery('english', %s) AS group_{number}" for number in range(len(groups))
    )
    # A group whose words are all stop words ("the") cannot be matched: it counts as met.
    flags = ", ".join(
        f"(CASE WHEN numnode(group_{n}) = 0 OR vector @@ group_{n} THEN 1 ELSE 0 END)"
        for n in range(len(groups))
    )
    any_group = " || ".join(f"group_{n}" for n in range(len(groups)))
    sql = f"""
        WITH queries AS (
            SELECT {parsed}, websearch_to_tsquery('english', %s) AS exact
        ),
        candidates AS (
            SELECT kind, page_id, vector, ({any_group}) AS any_group, exact,
                ARRAY[{flags}] AS flags
            FROM {TEXT_TABLE}, queries
            WHERE kind = ANY(%s) AND vector @@ ({any_group})
        )
        SELECT kind, page_id, flags,
            ts_rank_cd(%s::float4[], vector, any_group, %s)
            + ts_rank_cd(%s::float4[], vector, exact, %s) AS rank
        FROM candidates
        WHERE (SELECT sum(flag) FROM unnest(flags) AS flag) >= %s
    """  # noqa: S608 (only placeholders and fixed names are formatted in)
    params = [*(_websearch(terms) for terms in groups), _websearch(exact_terms), list(kinds)]
    params += [POSTGRES_WEIGHTS, POSTGRES_NORMALISATION] * 2 + [minimum]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# bm25's weights for title, names, summary and body.
SQLITE_WEIGHTS = (10.0, 5.0, 2.0, 1.0)


def _fts_query(terms):
    return " OR ".join('"{}"'.format(term.replace('"', '""')) for term in terms)


def _match_sqlite(kinds, groups, minimum, exact_terms):
    weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
    placeholders = ", ".join("%s" for _ in kinds)

    def ranked(expression):
        sql = f"""
            SELECT text.kind, text.page_id, -bm25({FTS_TABLE}, {weights})
            FROM {FTS_TABLE} JOIN {TEXT_TABLE} AS text ON text.id = {FTS_TABLE}.rowid
            WHERE {FTS_TABLE} MATCH %s AND text.kind IN ({placeholders})
        """  # noqa: S608 (only placeholders and fixed names are formatted in)
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, *kinds])
            return {(kind, page_id): rank for kind, page_id, rank in cursor.fetchall()}

    per_group = [set(ranked(f"({_fts_query(terms)})")) for terms in groups]
    every = ranked(" OR ".join(f"({_fts_query(terms)})" for terms in groups))
    exact = ranked(_fts_query(exact_terms)) if exact_terms else {}
    rows = []
    for key, rank in every.items():
        flags = [1 if key in keys else 0 for keys in per_group]
        if sum(flags) >= minimum:
            rows.append((*key, flags, rank + exact.get(key, 0.0)))
    return rows


# --- Spelling ---------------------------------------------------------------------------------


def finds_anything(word):
    """Whether a word on its own matches some page (stemmed as the text is): a word the
    index holds in any form is never corrected."""
    refresh_stale()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT 1 FROM {TEXT_TABLE} "  # noqa: S608 (a fixed name)
                "WHERE vector @@ websearch_to_tsquery('english', %s) LIMIT 1",
                [_websearch([word])],
            )
        else:
            cursor.execute(
                f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT 1",  # noqa: S608
                [_fts_query([word])],
            )
        return cursor.fetchone() is not None


MAX_EDITS = 2


def closest_word(word):
    """The word of the index's vocabulary nearest to a misspelt one (at most two edits; the
    fewest edits, then the most similar by trigrams), or ''."""
    word = word.lower()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT word FROM {WORDS_TABLE} WHERE word %% %s "  # noqa: S608 (fixed name)
                "ORDER BY similarity(word, %s) DESC, word LIMIT 20",
                [word, word],
            )
            candidates = [row[0] for row in cursor.fetchall()]
    else:
        candidates = (
            SearchWord.objects.annotate(length=Length("word"))
            .filter(word__startswith=word[0], length__gte=len(word) - 2)
            .filter(length__lte=len(word) + 2)
            .order_by("word")
            .values_list("word", flat=True)
        )
    best = ""
    fewest = MAX_EDITS + 1
    for candidate in candidates:  # in order of similarity: the first of the fewest edits
        edits = edit_distance(word, candidate)
        if 0 < edits < fewest:
            best, fewest = candidate, edits
    return best


def edit_distance(first, second):
    """Optimal string alignment distance: insertions, deletions, substitutions and
    swaps of two neighbouring letters each count one."""
    previous2 = None
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
