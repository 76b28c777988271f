"""The kinds of document the search holds, named once.

Every other module (documents, indexing, the query, the engines, the page and the API)
reads the kinds from here: their order (products first), how a heading names several and
a result names one, and the suffix of each kind's index alias.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str  # in the index, the address and the API
    plural: str  # the "Type of content" facet
    singular: str  # a result's label, an autocomplete suggestion's type
    alias_suffix: str  # <SEARCH_INDEX_PREFIX>-<alias_suffix>


PRODUCT = Kind("product", "Products", "Product", "products")
CASE_STUDY = Kind("case_study", "Case studies", "Case study", "case-studies")
GUIDE = Kind("guide", "Guides", "Guide", "guides")

ALL = (PRODUCT, CASE_STUDY, GUIDE)
BY_NAME = {kind.name: kind for kind in ALL}
# {name: plural label}, in display order: the facet's vocabulary.
KINDS = {kind.name: kind.plural for kind in ALL}
KIND_LABELS = {kind.name: kind.singular for kind in ALL}
