"""Turning what a user asked for into an Elasticsearch request body.

Nothing here talks to Elasticsearch or the database, so the whole query shape is unit-tested
without a cluster (tests/search/test_query_builder.py). `SearchParams` reads and cleans the
request (search/params.py); `QueryBuilder` turns clean parameters into a body;
`search.engine` sends it and `search.results` formats the answer.

User text only ever reaches match-family queries (multi_match, match_phrase, term), never
query_string, so characters such as `"`, `(`, `:` or `*` are words, not syntax.
"""

import re

from django.utils import timezone

from .documents import alias_name
from .kinds import KINDS
from .params import FACETS, FACETS_BY_NAME, PAGE_SIZE, normalise_query

# How the facet aggregations are named: "<facet>__values", "<facet>__selected", inside
# "facets__<n>" when they share a filter (see QueryBuilder.aggregations).
FACET_VALUES = "__values"
FACET_SELECTED = "__selected"
# Standards met by products with one expired since they were indexed (counted row by row).
FACET_STALE = "__stale"
FACET_GROUP = "facets__"

# Highlight markers no one types: the fragments are HTML-escaped first, then the markers
# become <mark> tags (see search.results.highlight_html).
MARK_START = "\ue000"
MARK_END = "\ue001"

# The words of a query as did-you-mean sees them, and the aggregation that says which of
# them some document holds (see QueryBuilder.suggestion_body).
WORD = re.compile(r"[^\W\d_]+")
IN_INDEX = "in_index"
# Two readings of each unknown word, in one request: the closest words one edit away (a
# slip: "pallative"), asked for before fewer of the words are required; and up to two
# edits away ("hypertenshun"), only when fewer of the words find nothing either, since two
# edits turn correctly spelt words the registry lacks into others ("catering" into
# "covering").
CLOSE, WIDE = "close", "wide"
SUGGESTERS = {CLOSE: 1, WIDE: 2}
# Shorter words are never corrected: too many real words lie one edit from them.
SUGGEST_MIN_WORD_LENGTH = 4


def typed_words(query):
    """The words typed, lower-cased and each once: what the did-you-mean asks about."""
    return sorted({word.lower() for word in WORD.findall(query)})


# DTAC's two states in the address and the form; worked out at query time by comparing the
# day of the search with the last day the standards met keep it passed (`dtac_until`): the
# state itself is never stored.
DTAC_VALUES = ("passed", "not_passed")
# The facets counted from standards met on the day of the search.
MET_FACETS = ("standard", "integration")


def nested_met_clause(codes, today, interoperability=False):
    """Products with one of these standards met and unexpired on `today`, from each row."""
    filters = [
        {"terms": {"met.code": list(codes)}},
        {"range": {"met.until": {"gte": today.isoformat()}}},
    ]
    if interoperability:
        filters.append({"term": {"met.interoperability": True}})
    # Case studies and guides have no `met`: in their indices the clause matches nothing,
    # rather than failing their shards and silently dropping them from the counts.
    return {
        "nested": {"path": "met", "ignore_unmapped": True, "query": {"bool": {"filter": filters}}}
    }


def all_met_current(today, current=True):
    """Products whose every standard met still counts on `today` (or, with current=False,
    at least one has expired since the product was indexed)."""
    return {"range": {"met_all_until": {"gte" if current else "lt": today.isoformat()}}}


def met_codes_field(interoperability=False):
    """The flat codes the standard (or integration) facet filters and counts on."""
    return FACETS_BY_NAME["integration" if interoperability else "standard"].field


def met_clause(codes, today, interoperability=False):
    """Products with one of these standards met and unexpired on `today`.

    Most products have nothing expired since they were indexed: for them the flat codes are
    exact, and a terms filter is cheap. The few with a standard expired since (until their
    next reindex) are judged row by row. Either way the answer is the rows' on that day."""
    return {
        "bool": {
            "should": [
                {
                    "bool": {
                        "filter": [
                            {"terms": {met_codes_field(interoperability): list(codes)}},
                            all_met_current(today),
                        ]
                    }
                },
                {
                    "bool": {
                        "filter": [
                            all_met_current(today, current=False),
                            nested_met_clause(codes, today, interoperability),
                        ]
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def dtac_passed_clause(today):
    """DTAC reads "passed" on `today` only while every group of proof.rules.DTAC_REQUIREMENTS
    has one standard met and unexpired that day: while `today` is on or before the last day
    that holds (proof.rules.dtac_passed_until), indexed with the product."""
    return {"range": {"dtac_until": {"gte": today.isoformat()}}}


# Where words are looked for, and how much a match in each field counts. Measured on the
# judged set (bench/relevance.py, docs/search.md): every field at 1 scores best (0.936
# nDCG@10, against 0.920 with names at 6, tags and clinical areas at 4, summaries at 2, and
# 0.930 with names at 1.5); only case-study facts score lower (0.916 against 0.936) and
# suppliers the same. A short field's match
# already counts more through BM25's length normalisation, and a name is counted again by
# the exact-name, exact-wording and phrase clauses (text_query): a boost here counted it
# a third time.
FIELD_BOOSTS = {
    "title": 1,
    "title_words": 1,
    "supplier_name": 1,
    "organisation_name": 1,
    "tags.text": 1,
    "clinical_areas.text": 1,
    "product_names": 1,
    "summary": 1,
    "category_name.text": 1,
    "setting_words": 1,
    "body": 1,
    "case_study_titles": 1,
    "case_study_outcomes": 1,
    "outcomes": 1,
}
# The short fields: names, tags, summaries, titles. Searched for the words as a phrase (an
# exact phrase outranks scattered words) and for the words spread across them (a supplier's
# name and a product's). Not the body or outcomes text: matching positions in long text for
# every hit is the costliest part of a search, and a phrase or a pair of names in the short
# fields is what tells products apart.
SHORT = (
    "title",
    "title_words",
    "supplier_name",
    "organisation_name",
    "tags.text",
    "clinical_areas.text",
    "product_names",
    "summary",
    "category_name.text",
    "setting_words",
    "case_study_titles",
)


# The index-time analyzer: the words stemmed but without synonyms (search/analysis.py).
EXACT_ANALYZER = "registry_text"
EXACT_BOOST = 2

# Words of a question or a request that say nothing about what is wanted: "how can we",
# "which products help", "is there an app for". Matching need not find them. Words that
# synonyms are made of ("not" in "did not attend", "at" in "hospital at home") are not here.
QUESTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "be",
        "there",
        "here",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "how",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "when",
        "why",
        "can",
        "could",
        "would",
        "should",
        "will",
        "do",
        "does",
        "did",
        "we",
        "our",
        "us",
        "i",
        "my",
        "me",
        "you",
        "your",
        "they",
        "their",
        "them",
        "he",
        "she",
        "his",
        "her",
        "for",
        "to",
        "of",
        "in",
        "on",
        "with",
        "by",
        "from",
        "into",
        "about",
        "as",
        "or",
        "and",
        "if",
        "than",
        "then",
        "so",
        "help",
        "helps",
        "helping",
        "helped",
        "support",
        "supports",
        "supporting",
        "find",
        "finding",
        "look",
        "looking",
        "need",
        "needs",
        "tool",
        "tools",
        "software",
        "system",
        "systems",
        "solution",
        "solutions",
        "product",
        "products",
        "app",
        "apps",
        "way",
        "ways",
        "something",
        "anything",
        "any",
        "some",
        "there's",
        "what's",
    ]
)


NEGATIONS = frozenset(["not", "n't"])


def content_words(query):
    """The words of a query that carry meaning (see QUESTION_WORDS), in order."""
    words = query.split()
    kept = []
    for position, word in enumerate(words):
        bare = word.lower().strip("?.,!")
        following = words[position + 1].lower() if position + 1 < len(words) else ""
        # "did not attend", "do not resuscitate": a word before "not" is part of a phrase.
        if bare not in QUESTION_WORDS or following in NEGATIONS:
            kept.append(word)
    return kept


def boosted(names):
    return tuple(
        name if FIELD_BOOSTS[name] == 1 else f"{name}^{FIELD_BOOSTS[name]}" for name in names
    )


TEXT_FIELDS = boosted(FIELD_BOOSTS)
SHORT_FIELDS = boosted(SHORT)
HIGHLIGHT_WHOLE = ("title", "summary")
HIGHLIGHT_SNIPPETS = ("case_study_titles", "case_study_outcomes", "body", "outcomes")
SOURCE_FIELDS = (
    "kind",
    "title",
    "url",
    "summary",
    "supplier_name",
    "category",
    "category_name",
    "esf_tier",
    "adoption_count",
    "met",
    "last_assessed",
    "organisation_name",
    "published_at",
)


class QueryBuilder:
    """The Elasticsearch request for one search, built from clean SearchParams.

    Two requests make one search, sent together (see search.engine): `body`, the page of
    hits, narrowed by every chosen filter; and `facets_body`, the facet counts for the
    words alone. Facets are multi-select: values within a facet are ORed, facets are ANDed,
    and each facet's counts come from an aggregation under every *other* facet's filter, so
    a facet's own unselected values keep honest counts.
    """

    def __init__(self, params, page_size=PAGE_SIZE, fuzzy=False, relaxed=False, today=None):
        self.params = params
        # The day standards are judged on: a standard met counts until its expiry date.
        self.today = today or timezone.localdate()
        self.page_size = page_size
        # Typo tolerance is a later pass (see search.engine): exact words first, so a
        # correct word never brings in near-misses ("ward" finding "word") and facet counts
        # stay honest; forgiving only when the exact words find nothing.
        self.fuzzy = fuzzy
        # The relaxed pass asks for fewer of the words (see search.engine): when every
        # reading of all the words finds nothing, the best matches for some of them.
        self.relaxed = relaxed

    # --- Where and what -----------------------------------------------------------------

    @staticmethod
    def indices():
        return [alias_name(kind) for kind in KINDS]

    def matching_words(self):
        """The words that must match: the query without the words of a question ("how can
        we", "which products help") that say nothing about what is wanted. When nothing
        else is left, the words as typed."""
        return content_words(self.params.query) or self.params.query.split()

    def minimum_should_match(self):
        # Of the words that carry meaning: all of one or two, all but one of three or four,
        # three in four of more. The relaxed pass: one of up to three, half of more.
        return "1<50%" if self.relaxed else "2<-1 4<75%"

    def text_query(self):
        query = self.params.query
        if not query:
            return {"match_all": {}}
        words = " ".join(self.matching_words())
        if self.fuzzy:
            # Typos are forgiven in the short fields only: expanding every word into its
            # near-misses across all the body text costs more than the rest of the search,
            # and a misspelt name, tag or summary word is what this pass is for.
            must = {
                "multi_match": {
                    "query": words,
                    "type": "best_fields",
                    "fields": list(SHORT_FIELDS),
                    "tie_breaker": 0.3,
                    "minimum_should_match": self.minimum_should_match(),
                    "fuzziness": "AUTO",
                    "prefix_length": 1,
                    "max_expansions": 50,
                }
            }
        else:
            # The words may be spread over the fields (a supplier's name and what the
            # product does; a condition in the clinical areas and a setting in the summary),
            # scored as if the fields were one.
            must = {
                "multi_match": {
                    "query": words,
                    "type": "cross_fields",
                    "fields": list(TEXT_FIELDS),
                    "minimum_should_match": self.minimum_should_match(),
                }
            }
        should = [
            # Most of the words in one field counts more than the words scattered.
            {
                "multi_match": {
                    "query": words,
                    "type": "best_fields",
                    "fields": list(SHORT_FIELDS),
                    "tie_breaker": 0.3,
                }
            },
            # The words as typed, without synonyms: an exact match outranks the same match
            # through a synonym or a lay term.
            {
                "multi_match": {
                    "query": words,
                    "type": "best_fields",
                    "fields": list(SHORT_FIELDS),
                    "analyzer": EXACT_ANALYZER,
                    "tie_breaker": 0.3,
                    "boost": EXACT_BOOST,
                }
            },
            # The exact name of a product or supplier goes first.
            {"match": {"title.sort": {"query": query, "boost": 10}}},
            {"match": {"supplier_name.sort": {"query": query, "boost": 5}}},
        ]
        if len(words.split()) > 1:
            # Every word somewhere outranks most of them in stronger fields: a case study
            # about the cataract waiting list above every waiting list product.
            should.append(
                {
                    "multi_match": {
                        "query": words,
                        "type": "cross_fields",
                        "fields": list(TEXT_FIELDS),
                        "operator": "and",
                    }
                }
            )
            # An exact phrase outranks scattered words.
            should.append(
                {
                    "multi_match": {
                        "query": words,
                        "type": "phrase",
                        "fields": list(SHORT_FIELDS),
                        "slop": 1,
                        "boost": 3,
                    }
                }
            )
        return {"bool": {"must": [must], "should": should}}

    # --- Facets -------------------------------------------------------------------------

    def facet_clause(self, facet, values):
        if facet.name == "dtac":
            chosen = {value for value in values if value in DTAC_VALUES}
            passed = dtac_passed_clause(self.today)
            if chosen == {"passed"}:
                return passed
            products = {"term": {"kind": "product"}}
            if chosen == {"not_passed"}:
                return {"bool": {"filter": [products], "must_not": [passed]}}
            return products
        if facet.name == "standard":
            return met_clause(values, self.today)
        if facet.name == "integration":
            return met_clause(values, self.today, interoperability=True)
        return {"terms": {facet.field: list(values)}}

    def facet_values_aggregation(self, facet):
        """The counts of a facet's values: a terms aggregation, except for the facets
        derived from standards met, counted only where unexpired on the day of the search."""
        if facet.name == "dtac":
            return {
                "filters": {
                    "filters": {value: self.facet_clause(facet, [value]) for value in DTAC_VALUES}
                }
            }
        terms = {
            "terms": {
                "field": facet.field,
                "size": facet.size,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
            }
        }
        if facet.name in MET_FACETS:
            # Products whose every standard met still counts, from their flat codes; the
            # others are counted row by row beside this (stale_met_aggregation).
            return {"filter": all_met_current(self.today), "aggs": {"codes": terms}}
        return terms

    def stale_met_aggregation(self, facet):
        """The counts of standards met among products with one expired since they were
        indexed, row by row: only rows unexpired on the day count, each product once per
        code. search.results adds them to the flat counts; a product is in one or the
        other, never both."""
        current = [{"range": {"met.until": {"gte": self.today.isoformat()}}}]
        if facet.name == "integration":
            current.append({"term": {"met.interoperability": True}})
        codes = {
            "terms": {
                "field": "met.code",
                "size": facet.size,
                "order": [{"products": "desc"}, {"_key": "asc"}],
            },
            # Products, not rows, are counted: reverse_nested counts each product once.
            "aggs": {"products": {"reverse_nested": {}}},
        }
        return {
            "filter": all_met_current(self.today, current=False),
            "aggs": {
                "met": {
                    "nested": {"path": "met"},
                    "aggs": {
                        "current": {
                            "filter": {"bool": {"filter": current}},
                            "aggs": {"codes": codes},
                        }
                    },
                }
            },
        }

    def filter_clauses(self, exclude=None):
        return [
            self.facet_clause(FACETS_BY_NAME[name], values)
            for name, values in self.params.filters.items()
            if values and name != exclude and name in FACETS_BY_NAME
        ]

    def aggregations(self):
        """One terms aggregation per facet (plus exact counts for its chosen values), under
        the filters of every other facet.

        Facets that count under the same filters share one filter aggregation: every facet
        nobody chose from counts under all the filters, so a search with filters in k
        facets needs k + 1 groups, not one per facet. The group with no filter at all (no
        filters chosen, or the one facet chosen) is not wrapped, which Elasticsearch
        counts faster. `search.results.facet_counts_from_aggregations` reads either shape.
        """
        groups = {}
        for facet in FACETS:
            others = tuple(name for name in self.params.filters if name != facet.name)
            groups.setdefault(others, []).append(facet)
        aggs = {}
        for number, facets in enumerate(groups.values()):
            inner = {}
            for facet in facets:
                inner[f"{facet.name}{FACET_VALUES}"] = self.facet_values_aggregation(facet)
                if facet.name in MET_FACETS:
                    inner[f"{facet.name}{FACET_STALE}"] = self.stale_met_aggregation(facet)
                selected = self.params.selected(facet.name)
                if selected:
                    # Exact counts for the chosen values, even outside the top values.
                    inner[f"{facet.name}{FACET_SELECTED}"] = {
                        "filters": {
                            "filters": {
                                value: self.facet_clause(facet, [value]) for value in selected
                            }
                        }
                    }
            clauses = self.filter_clauses(exclude=facets[0].name)
            if clauses:
                aggs[f"{FACET_GROUP}{number}"] = {
                    "filter": {"bool": {"filter": clauses}},
                    "aggs": inner,
                }
            else:
                aggs.update(inner)
        return aggs

    # --- Order and page -----------------------------------------------------------------

    def effective_sort(self):
        """With no words there is no relevance: order by name instead."""
        if self.params.sort == "relevance" and not self.params.query:
            return "title"
        return self.params.sort

    def sort(self):
        # The tiebreak (a hash of the page id) then the unique page path settle equal scores
        # in the same order on every request, so pages never repeat or skip a result.
        stable = [{"tiebreak": {"order": "asc"}}, {"url": {"order": "asc"}}]
        sort = self.effective_sort()
        if sort == "adopted":
            return [
                {
                    "adoption_count": {
                        "order": "desc",
                        "missing": "_last",
                        "unmapped_type": "integer",
                    }
                },
                "_score",
                *stable,
            ]
        if sort == "assessed":
            return [
                {"last_assessed": {"order": "desc", "missing": "_last", "unmapped_type": "date"}},
                "_score",
                *stable,
            ]
        if sort == "title":
            return [{"title.sort": {"order": "asc"}}, *stable]
        return ["_score", *stable]

    def offset(self, page=None):
        return ((page or self.params.page) - 1) * self.page_size

    def highlight(self):
        fields = {name: {"number_of_fragments": 0} for name in HIGHLIGHT_WHOLE}
        fields.update(
            {
                name: {"fragment_size": 160, "number_of_fragments": 1, "no_match_size": 0}
                for name in HIGHLIGHT_SNIPPETS
            }
        )
        return {
            "pre_tags": [MARK_START],
            "post_tags": [MARK_END],
            "encoder": "default",
            "fields": fields,
            # The words (with their stems and synonyms) are marked, never fuzzy expansions:
            # highlighting fuzzy matches costs far more than the search itself.
            "highlight_query": {
                "multi_match": {
                    "query": self.params.query,
                    "type": "best_fields",
                    "fields": [*HIGHLIGHT_WHOLE, *HIGHLIGHT_SNIPPETS],
                }
            },
        }

    def body(self, page=None):
        """The page of hits: the words, the chosen filters, the order, highlights.

        The facet counts and the number found are a second request (facets_body) that
        search.engine sends with this one in a single multi-search, so Elasticsearch works
        on both at once. Not counting here lets Elasticsearch skip the documents that cannot
        reach the page (block-max WAND): only the best are scored in full."""
        query = self.text_query()
        filters = self.filter_clauses()
        if filters:
            # Beside the words rather than after them (the counts are not taken here), so
            # Elasticsearch skips what the filters rule out before scoring anything.
            query = {"bool": {"must": [query], "filter": filters}}
        body = {
            "query": query,
            "sort": self.sort(),
            "from": self.offset(page),
            "size": self.page_size,
            "track_total_hits": False,
            "_source": list(SOURCE_FIELDS),
        }
        if self.params.query:
            body["highlight"] = self.highlight()
        return body

    def facets_body(self):
        """The facet counts for the words, whatever the page or order, and the number found.

        The words only select documents here (filter context: no scores to compute), and
        with no hits asked for, Elasticsearch's request cache keeps the answer until the
        index changes: the next page of a search, or the same search in another order,
        counts nothing again. The chosen filters are a post_filter: each facet counts under
        the others' filters (aggregations), while the total counts under all of them."""
        body = {
            "size": 0,
            "track_total_hits": True,
            "query": {"bool": {"filter": [self.text_query()]}},
            "aggs": self.aggregations(),
        }
        filters = self.filter_clauses()
        if filters:
            body["post_filter"] = {"bool": {"filter": filters}}
        return body

    def suggestion_body(self):
        """A did-you-mean request: for each word typed that the index holds nowhere, the
        closest word it does hold, from the `spelling` field (every text field's words as
        written, without stems or synonyms, so each suggestion lines up with one word
        typed), one and two edits away (SUGGESTERS). search.results.did_you_mean_from_suggest
        leaves alone the words of a question and the words the synonyms and lay terms know.

        The term suggester judges "nowhere" one shard at a time, so a word one index holds
        could still be "corrected" from another's words: the `in_index` counts say, for
        each word typed, whether any document of any index holds it, in the same request."""
        words = typed_words(self.params.query)
        return {
            "size": 0,
            "aggs": {
                IN_INDEX: {
                    "filters": {
                        "filters": {
                            word: {"match": {"spelling": {"query": word, "operator": "and"}}}
                            for word in words
                        }
                    }
                }
            },
            "suggest": {
                "text": self.params.query,
                **{
                    name: {
                        "term": {
                            "field": "spelling",
                            "suggest_mode": "missing",
                            "sort": "score",
                            "min_word_length": SUGGEST_MIN_WORD_LENGTH,
                            "prefix_length": 1,
                            "max_edits": edits,
                        }
                    }
                    for name, edits in SUGGESTERS.items()
                },
            },
        }


def autocomplete_body(text, size=8):
    """Names that start with what has been typed: whole names from the completion field
    (products, suppliers, categories, case studies, guides), and product names with any
    word that starts with it (title.prefix), in one request."""
    text = normalise_query(text)[:100]
    completion = {"field": "suggest", "size": size, "skip_duplicates": True}
    if len(text) >= 4:
        completion["fuzzy"] = {"fuzziness": "AUTO", "prefix_length": 1}
    return {
        "size": size,
        "_source": ["kind", "title", "url", "supplier_name", "category", "category_name"],
        "query": {
            "bool": {
                "must": [{"match": {"title.prefix": {"query": text, "operator": "and"}}}],
                "should": [{"match_phrase_prefix": {"title": {"query": text}}}],
                "filter": [{"term": {"kind": "product"}}],
            }
        },
        "sort": ["_score", {"tiebreak": {"order": "asc"}}],
        "suggest": {"names": {"prefix": text, "completion": completion}},
    }


def similar_products_body(product_id, size=4):
    """Products like this one in what they do and for whom, never the product itself."""
    return {
        "size": size,
        "_source": ["title", "url", "supplier_name", "summary"],
        "query": {
            "more_like_this": {
                "fields": [
                    "title",
                    "summary",
                    "body",
                    "clinical_areas.text",
                    "tags.text",
                    "case_study_titles",
                ],
                "like": [{"_index": alias_name("product"), "_id": str(product_id)}],
                "min_term_freq": 1,
                "min_doc_freq": 1,
                "max_query_terms": 25,
                "minimum_should_match": "10%",
                "include": False,
            }
        },
        "sort": ["_score", {"tiebreak": {"order": "asc"}}],
    }
