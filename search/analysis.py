"""Text analysis for how people in the NHS write: stemming, plurals, accents, acronyms.

The Elasticsearch distribution we run has no analysis-common module, so stemming, ASCII
folding, synonyms and edge n-grams come from the project's own analysis plugin
(`search-service/analysis-plugin/`, Lucene's filters behind Elasticsearch's stable plugin API).
Its components are named `registry_*`.

Synonyms are applied at search time only (a synonym graph), so a change to synonyms.txt
reaches the index settings through a rebuild and never requires re-analysing stored text.
"""

from pathlib import Path

from elasticsearch_dsl import analyzer, char_filter, normalizer, token_filter

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")


def load_synonyms(path=SYNONYMS_FILE):
    """Synonym rules from the editable file, without comments or blank lines."""
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            rules.append(line)
    return rules


# "A&E" and "A & E" become one token, "aande", so the synonym list can name it.
ampersand = char_filter("registry_ampersand_joiner", type="registry_ampersand")
english_possessive = token_filter("registry_possessive", type="registry_english_possessive")
# KStem leaves some plurals alone (appointments, observations); its minimal variant does
# not. Stems look odd ("diabete") but are the same at index and search time.
STEMMER_ALGORITHM = "kstem_minimal"
english_stemmer = token_filter(
    "registry_stemmer", type="registry_english_stemmer", algorithm=STEMMER_ALGORITHM
)
ascii_folding = token_filter("registry_folding", type="registry_asciifolding")
prefixes = token_filter("registry_prefixes", type="registry_edge_ngram", min_gram=1, max_gram=20)


def synonym_filter(rules=None):
    return token_filter(
        "registry_synonyms",
        type="registry_synonym_graph",
        synonyms=load_synonyms() if rules is None else rules,
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
