"""What a user asked for, read from a request: the first stage of a search.

`SearchParams` is frozen. Each later stage that has something to add returns a new value
with only its own part changed (`with_known_filters` drops filter values the registry does
not know, `on_page` moves past-the-end pages back), so a notice, once given, is never taken
back, and no stage can change what an earlier one decided. Nothing here does I/O.
"""

import dataclasses
import re
from dataclasses import dataclass, field

from .kinds import KINDS

MAX_QUERY_LENGTH = 256
PAGE_SIZE = 20
# Elasticsearch's max_result_window (10,000) bounds how deep pagination can go.
MAX_RESULT_WINDOW = 10_000
MAX_PAGE = MAX_RESULT_WINDOW // PAGE_SIZE
MAX_VALUES_PER_FACET = 50


@dataclass(frozen=True)
class Facet:
    name: str  # the request parameter
    field: str  # the index field
    label: str  # the fieldset legend
    size: int = 50  # how many values to count


FACETS = (
    Facet("kind", "kind", "Type of content", size=len(KINDS)),
    Facet("category", "category", "Category"),
    Facet("care_setting", "care_settings", "Care setting"),
    Facet("clinical_area", "clinical_areas", "Clinical area", size=30),
    Facet("esf_tier", "esf_tier", "NICE evidence tier"),
    Facet("standard", "met_codes", "Standards met", size=60),
    Facet("dtac", "dtac_until", "DTAC"),
    Facet("integration", "met_interoperability_codes", "Integrates with", size=30),
    Facet("region", "adopter_regions", "Used in region"),
    Facet("adoption", "adoption_band", "Organisations using it"),
    Facet("deployment", "deployment_model", "Deployment"),
)
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}

SORTS = {
    "relevance": "Best match",
    "adopted": "Most adopted",
    "assessed": "Recently assessed",
    "title": "A to Z",
}
DEFAULT_SORT = "relevance"

# `spelling=exact`: the words as typed, never corrected. The "Search instead for" link of a
# corrected search asks for this.
SPELLING_EXACT = "exact"

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\ue000-\uf8ff]")
_SPACES = re.compile(r"\s+")


def normalise_query(text):
    """Trimmed, single-spaced text without control or private-use characters."""
    return _SPACES.sub(" ", _CONTROL_CHARACTERS.sub(" ", text or "")).strip()


def _getlist(data, name):
    if hasattr(data, "getlist"):
        return data.getlist(name)
    value = data.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@dataclass(frozen=True)
class SearchParams:
    """A search request, cleaned: never raises on anything a browser or client can send."""

    query: str = ""
    filters: dict = field(default_factory=dict)  # facet name -> tuple of values; never mutated
    sort: str = DEFAULT_SORT
    page: int = 1
    notices: tuple = ()
    query_truncated: bool = False
    requested_page: int = 1  # before any clamping to the last page
    spelling: str = ""  # SPELLING_EXACT: never correct the words (nor forgive typos)

    @classmethod
    def from_request_data(cls, data):
        """From a QueryDict (or a dict of strings or lists): q, sort, page and facet names."""
        notices = []
        raw_query = _getlist(data, "q")
        query = normalise_query(raw_query[0] if raw_query else "")
        truncated = len(query) > MAX_QUERY_LENGTH
        if truncated:
            query = query[:MAX_QUERY_LENGTH].rstrip()
            notices.append(
                f"Your search was too long, so we searched for its first {MAX_QUERY_LENGTH} "
                "characters."
            )

        sort = (_getlist(data, "sort") or [DEFAULT_SORT])[0] or DEFAULT_SORT
        if sort not in SORTS:
            notices.append("We did not recognise that sort order, so results are by best match.")
            sort = DEFAULT_SORT

        page = 1
        raw_page = (_getlist(data, "page") or ["1"])[0]
        try:
            page = int(str(raw_page).strip() or "1")
        except ValueError:
            notices.append("That page number was not a number, so we are showing page 1.")
            page = 1
        if page < 1:
            page = 1
        if page > MAX_PAGE:
            notices.append(
                f"Only the first {MAX_RESULT_WINDOW:,} results can be shown. "
                "Add words or filters to narrow your search."
            )
            page = MAX_PAGE

        # Any other value is the default (corrections allowed): nothing to tell the user.
        spelling = (_getlist(data, "spelling") or [""])[0]
        spelling = SPELLING_EXACT if spelling == SPELLING_EXACT else ""

        filters = {}
        for facet in FACETS:
            values = []
            for value in _getlist(data, facet.name):
                value = normalise_query(str(value))
                if facet.name == "clinical_area":
                    # Clinical areas are compared without case, as the index does.
                    value = value.lower()
                if value and value not in values:
                    values.append(value)
            if values:
                filters[facet.name] = tuple(values[:MAX_VALUES_PER_FACET])

        return cls(
            query=query,
            filters=filters,
            sort=sort,
            page=page,
            notices=tuple(notices),
            query_truncated=truncated,
            requested_page=page,
            spelling=spelling,
        )

    def selected(self, facet_name):
        return self.filters.get(facet_name, ())

    @property
    def has_filters(self):
        return any(self.filters.values())

    @property
    def exact_spelling(self):
        """The words are searched as typed: no did-you-mean, no typos forgiven."""
        return self.spelling == SPELLING_EXACT

    @property
    def is_empty(self):
        return not self.query and not self.has_filters

    def with_notice(self, notice):
        return dataclasses.replace(self, notices=(*self.notices, notice))

    def with_known_filters(self, vocabulary):
        """The same search without filter values not in the vocabulary ({facet: {value:
        label}}), with a notice naming them. A bookmarked link to a category since renamed
        still answers, minus that filter."""
        kept = {}
        ignored = []
        for name, values in self.filters.items():
            known = vocabulary.get(name)
            if known is None:
                kept[name] = values
                continue
            good = tuple(value for value in values if value in known)
            ignored += [value for value in values if value not in known]
            if good:
                kept[name] = good
        if not ignored:
            return self
        listed = ", ".join(f"\u2018{value[:40]}\u2019" for value in ignored[:5])
        return dataclasses.replace(
            self,
            filters=kept,
            notices=(
                *self.notices,
                f"We ignored filter values we do not recognise: {listed}. "
                "The results below do not use them.",
            ),
        )

    def on_page(self, total):
        """The same search on a page that exists for `total` results: past the last page,
        the last page, with a notice (never a 404)."""
        last_page = max(1, -(-min(total, MAX_RESULT_WINDOW) // PAGE_SIZE))
        if self.page <= last_page:
            return self
        notices = self.notices
        if total:
            notices = (
                *notices,
                f"There {'is' if last_page == 1 else 'are'} only {last_page} "
                f"page{'' if last_page == 1 else 's'} of results, so we are showing the last one.",
            )
        return dataclasses.replace(self, page=last_page, notices=notices)

    def as_query_items(self, **changes):
        """(name, value) pairs for a link that repeats this search with some changes."""
        query = changes.get("q", self.query)
        filters = changes.get("filters", self.filters)
        sort = changes.get("sort", self.sort)
        page = changes.get("page", 1)
        items = []
        spelling = changes.get("spelling", self.spelling)
        if query:
            items.append(("q", query))
            if spelling:
                items.append(("spelling", spelling))
        for facet in FACETS:
            items += [(facet.name, value) for value in filters.get(facet.name, ())]
        if sort != DEFAULT_SORT:
            items.append(("sort", sort))
        if page and page > 1:
            items.append(("page", str(page)))
        return items
