"""Text analysis for how people in the NHS write: stemming, plurals, accents, acronyms.

The Elasticsearch distribution we run has no analysis-common module, so stemming, ASCII
folding, synonyms and edge n-grams come from the project's own analysis plugin
(`search-service/analysis-plugin/`, Lucene's filters behind Elasticsearch's stable plugin API).
Its components are named `registry_*`.

Synonyms are applied at search time only (a synonym graph), so a change to synonyms.txt or
to the lay terms (search.models.LayTerm, edited in the admin) reaches the index settings
through a rebuild and never requires re-analysing stored text. The index records the
vocabulary's version it was built with (`vocabulary_version`, in its mapping's _meta).
"""

import hashlib
import re
import time
from pathlib import Path

from elasticsearch_dsl import analyzer, char_filter, normalizer, token_filter

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")


def load_synonyms(path=SYNONYMS_FILE, lay_terms=True):
    """Synonym rules: the file's, without comments or blank lines, then the lay terms the
    scaling team edits in the admin (search.models.LayTerm), each one way."""
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            rules.append(line)
    if lay_terms:
        rules += lay_term_rules()
    return rules


def lay_term_rules():
    """The lay terms as synonym rules; none before the table exists (a fresh database)."""
    from django.db import DatabaseError

    from .models import LayTerm

    try:
        return [term.rule for term in LayTerm.objects.order_by("words")]
    except DatabaseError:
        return []


def vocabulary_version(rules=None):
    """A short fingerprint of every synonym rule and lay term: an index built with another
    version does not yet apply the latest edits (`search_index rebuild` does)."""
    text = "\n".join(load_synonyms() if rules is None else rules)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:10]


def known_words(rules=None):
    """Every word the synonym rules name: words understood, so never corrected. Without
    `rules`, the current rules', read at most once a minute in each process (a search asks
    on every request); an edit to the lay terms here clears it at once."""
    global _known
    if rules is not None:
        return _words_of(rules)
    read_at, words = _known
    if words is None or time.monotonic() - read_at > KNOWN_WORDS_SECONDS:
        words = _words_of(load_synonyms())
        _known = (time.monotonic(), words)
    return words


KNOWN_WORDS_SECONDS = 60
_known = (0.0, None)


def forget_known_words(**kwargs):
    global _known
    _known = (0.0, None)


def _words_of(rules):
    words = set()
    for rule in rules:
        words.update(re.findall(r"[a-z]+", rule))
    return frozenset(words)


# "A&E" and "A & E" become one token, "aande", so the synonym list can name it.
ampersand = char_filter("registry_ampersand_joiner", type="registry_ampersand")
english_possessive = token_filter("registry_possessive", type="registry_english_possessive")
# Porter joins the derivations people type for the same thing (reminder, reminders,
# reminding; diabetic, diabetes; interpreter, interpreting; triage, triaging; rehabilitation,
# rehabilitate), which KStem and its minimal variant leave apart: on the judged set
# (bench/relevance.py) derivations went from 0.84 to 0.92 nDCG@10 with no kind worse.
# Stems look odd ("diabet") but are the same at index and search time.
STEMMER_ALGORITHM = "porter"
english_stemmer = token_filter(
    "registry_stemmer", type="registry_english_stemmer", algorithm=STEMMER_ALGORITHM
)
ascii_folding = token_filter("registry_folding", type="registry_asciifolding")
prefixes = token_filter("registry_prefixes", type="registry_edge_ngram", min_gram=1, max_gram=20)


SYNONYM_FILTER = "registry_synonyms"


def synonym_filter(rules=None):
    """The synonym graph. Defined with the file's rules when the mappings are imported (no
    database access then); `search.indexing.create_index` puts in every current rule,
    the lay terms included, when it creates an index."""
    return token_filter(
        SYNONYM_FILTER,
        type="registry_synonym_graph",
        synonyms=load_synonyms(lay_terms=False) if rules is None else rules,
        lenient=True,
        # Rules are stemmed like the text, so "electronic patient records" meets the rule
        # "epr, electronic patient record".
        rule_stemmer=STEMMER_ALGORITHM,
    )


text_analyzer = analyzer(
    "registry_text",
    tokenizer="standard",
    char_filter=[ampersand],
    filter=["lowercase", ascii_folding, english_possessive, english_stemmer],
)


def text_search_analyzer(rules=None):
    return analyzer(
        "registry_text_search",
        tokenizer="standard",
        char_filter=[ampersand],
        # No stop-word filter: it would break synonyms such as "did not attend" and
        # "no show"; BM25 already gives common words little weight.
        filter=[
            "lowercase",
            ascii_folding,
            english_possessive,
            english_stemmer,
            synonym_filter(rules),
        ],
    )


# Prefixes of each word, for autocomplete as you type.
autocomplete_analyzer = analyzer(
    "registry_autocomplete",
    tokenizer="standard",
    char_filter=[ampersand],
    filter=["lowercase", ascii_folding, prefixes],
)
autocomplete_search_analyzer = analyzer(
    "registry_autocomplete_search",
    tokenizer="standard",
    char_filter=[ampersand],
    filter=["lowercase", ascii_folding],
)

# Exact values compared without case (sorting A to Z, tag keywords). Elasticsearch does not
# let plugin filters into normalizers, so accents are not folded here.
sort_normalizer = normalizer("registry_sort", filter=["lowercase"])
