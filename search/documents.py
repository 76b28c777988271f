"""What the index holds: one elasticsearch-dsl document per searchable kind of page.

Each document flattens what a buyer searches and filters on, so a query never needs the
database. The mapping is versioned (MAPPING_VERSION): a change to it, or to the analysis,
takes effect through `manage.py search_index rebuild`, which builds a new dated index and
swaps the alias. Index and alias names carry SEARCH_INDEX_PREFIX so environments sharing a
cluster never collide.
"""

from django.conf import settings
from elasticsearch_dsl import (
    Boolean,
    Completion,
    Date,
    Document,
    Integer,
    Keyword,
    Nested,
    Text,
)

from .analysis import (
    autocomplete_analyzer,
    autocomplete_search_analyzer,
    sort_normalizer,
    text_analyzer,
    text_search_analyzer,
)
from .kinds import BY_NAME

# 3: category and care settings as text, split names, spelling from every field
# 4: Porter stemming, so derivations meet (reminder, reminding; diabetic, diabetes)
# 5: flat standards-met codes and the DTAC's last passing day beside the nested rows, and
#    offsets stored for the highlighted fields: both for speed, same answers
MAPPING_VERSION = 5


def searchable_text(spelling=True, **kwargs):
    """Free text: stemmed for matching, with a search-time synonym expansion. Its words as
    written also go to `spelling`, so did-you-mean knows every word the index holds."""
    return Text(
        analyzer=text_analyzer,
        search_analyzer=text_search_analyzer(),
        **({"copy_to": "spelling"} if spelling else {}),
        **kwargs,
    )


# The highlighted fields keep each word's offsets, so highlighting reads them instead of
# analysing the whole text again for every hit (search.query.HIGHLIGHT_*).
HIGHLIGHTED = {"index_options": "offsets"}


def name_field(**kwargs):
    """A name: full text, an exact sortable form, and prefixes for autocomplete."""
    return searchable_text(
        **kwargs,
        fields={
            "sort": Keyword(normalizer=sort_normalizer),
            "prefix": Text(
                analyzer=autocomplete_analyzer, search_analyzer=autocomplete_search_analyzer
            ),
        },
    )


def tag_field():
    """Tags: filtered on and counted exactly, case folded; searched as words; known to
    did-you-mean."""
    return Keyword(
        normalizer=sort_normalizer,
        copy_to="spelling",
        fields={"text": searchable_text(spelling=False)},
    )


class RegistryDocument(Document):
    """Fields every kind shares, so one query can search across kinds."""

    kind = Keyword()  # product, case_study, guide
    title = name_field(**HIGHLIGHTED)
    # A name written as one word in capitals ("BreatheWell") also as its words.
    title_words = searchable_text()
    summary = searchable_text(**HIGHLIGHTED)
    body = searchable_text(**HIGHLIGHTED)
    url = Keyword(index=False)
    # Case studies' and guides' tags (a product's tags are its clinical areas, indexed once).
    tags = tag_field()
    published_at = Date()
    # Tie-break for equal scores: a hash of the id, stable across rebuilds and fair
    # between suppliers (not alphabetical, not by age).
    tiebreak = Keyword()
    # The sequence number of the change that produced this document (see search.queue);
    # used as the Elasticsearch external version so an older change never overwrites a newer one.
    change_seq = Integer()
    suggest = Completion(analyzer=autocomplete_search_analyzer, preserve_separators=False)
    # Words as written (not stemmed, no synonyms), copied from every text field, for
    # did-you-mean suggestions that read as real words ("diabetes", not the stem "diabet").
    spelling = Text(analyzer=autocomplete_search_analyzer)

    class Meta:
        dynamic = "strict"


class ProductDocument(RegistryDocument):
    supplier_name = name_field()
    category = Keyword()  # slug
    category_name = Keyword(copy_to="spelling", fields={"text": searchable_text(spelling=False)})
    care_settings = Keyword()  # slugs
    # Care settings' names and how it is deployed ("Care home", "Mobile app"), as words.
    setting_words = searchable_text()
    clinical_areas = tag_field()
    esf_tier = Keyword()
    device_class = Keyword()
    conformity_marking = Keyword()
    pricing_model = Keyword()
    deployment_model = Keyword()
    # Each standard met, with the last day it counts (search.building.MET_FOREVER when it
    # does not expire): filters, facets and badges compare it with the day of the search.
    met = Nested(
        properties={
            "code": Keyword(),
            "until": Date(),
            "interoperability": Boolean(),
        }
    )
    adoption_count = Integer()  # confirmed adoptions
    adoption_band = Keyword()  # none, 1-4, 5-19, 20+
    adopter_regions = Keyword()
    # The same codes, flat, and the first day any of them stops counting: while that day
    # has not passed, every code here counts, and filters and counts need no nested query
    # (search.query.met_clause); after it, they read `met`.
    met_codes = Keyword()
    met_interoperability_codes = Keyword()
    met_all_until = Date()
    # The last day the DTAC reads "passed" (proof.rules.dtac_passed_until); absent when none.
    dtac_until = Date()
    case_study_titles = searchable_text(**HIGHLIGHTED)
    case_study_outcomes = searchable_text(**HIGHLIGHTED)
    evidence_count = Integer()
    last_assessed = Date()


class CaseStudyDocument(RegistryDocument):
    organisation_name = name_field()
    region = Keyword()
    product_ids = Keyword()
    product_names = searchable_text()
    outcomes = searchable_text(**HIGHLIGHTED)


class GuideDocument(RegistryDocument):
    product_ids = Keyword()
    product_names = searchable_text()


DOCUMENTS = {
    "product": ProductDocument,
    "case_study": CaseStudyDocument,
    "guide": GuideDocument,
}


def alias_name(kind):
    """The stable name queries use; it points at the current dated index."""
    return f"{settings.SEARCH_INDEX_PREFIX}-{BY_NAME[kind].alias_suffix}"
