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
    Text,
)

from .analysis import (
    autocomplete_analyzer,
    autocomplete_search_analyzer,
    sort_normalizer,
    text_analyzer,
    text_search_analyzer,
)

MAPPING_VERSION = 3  # 2: the spelling field, for did-you-mean; 3: dtac_state, dtac_valid_until


def searchable_text(**kwargs):
    """Free text: stemmed for matching, with a search-time synonym expansion."""
    return Text(
        analyzer=text_analyzer,
        search_analyzer=text_search_analyzer(),
        **kwargs,
    )


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


class RegistryDocument(Document):
    """Fields every kind shares, so one query can search across kinds."""

    kind = Keyword()  # product, case_study, guide
    title = name_field(copy_to="spelling")
    summary = searchable_text(copy_to="spelling")
    body = searchable_text()
    url = Keyword(index=False)
    tags = Keyword(normalizer=sort_normalizer, fields={"text": searchable_text()})
    published_at = Date()
    # Tie-break for equal scores: a hash of the id, stable across rebuilds and fair
    # between suppliers (not alphabetical, not by age).
    tiebreak = Keyword()
    # The sequence number of the change that produced this document (see search.queue);
    # used as the Elasticsearch external version so an older change never overwrites a newer one.
    change_seq = Integer()
    suggest = Completion(analyzer=autocomplete_search_analyzer, preserve_separators=False)
    # Words as written (not stemmed, no synonyms), copied from the names and summaries, for
    # did-you-mean suggestions that read as real words ("diabetes", not the stem "diabete").
    spelling = Text(analyzer=autocomplete_search_analyzer)

    class Meta:
        dynamic = "strict"


class ProductDocument(RegistryDocument):
    supplier_name = name_field(copy_to="spelling")
    category = Keyword()  # slug
    category_name = Keyword()
    care_settings = Keyword()  # slugs
    clinical_areas = Keyword(normalizer=sort_normalizer, fields={"text": searchable_text()})
    esf_tier = Keyword()
    device_class = Keyword()
    conformity_marking = Keyword()
    pricing_model = Keyword()
    deployment_model = Keyword()
    standards_met = Keyword()  # standard codes with status met and not expired
    dtac_passed = Boolean()  # on the day indexed; see dtac_state and dtac_valid_until
    dtac_state = Keyword()  # proof.rules.DtacState on the day indexed
    dtac_valid_until = Date()  # passed holds until this day, with no change to the rows
    integrations = Keyword()  # interoperability standard codes met
    adoption_count = Integer()  # confirmed adoptions
    adoption_band = Keyword()  # none, 1-4, 5-19, 20+
    adopter_regions = Keyword()
    case_study_titles = searchable_text()
    case_study_outcomes = searchable_text()
    evidence_count = Integer()
    last_assessed = Date()


class CaseStudyDocument(RegistryDocument):
    organisation_name = name_field()
    region = Keyword()
    product_ids = Keyword()
    product_names = searchable_text()
    outcomes = searchable_text()


class GuideDocument(RegistryDocument):
    product_ids = Keyword()
    product_names = searchable_text()


DOCUMENTS = {
    "product": ProductDocument,
    "case_study": CaseStudyDocument,
    "guide": GuideDocument,
}


ALIAS_SUFFIXES = {"product": "products", "case_study": "case-studies", "guide": "guides"}


def alias_name(kind):
    """The stable name queries use; it points at the current dated index."""
    return f"{settings.SEARCH_INDEX_PREFIX}-{ALIAS_SUFFIXES[kind]}"
