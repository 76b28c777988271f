"""Turning an engine's answer into what the page and the JSON API show.

Both engines (Elasticsearch and the database fallback) end in a SearchResponse, so the page
and the API never need to know which one answered. Facet values are shown with human labels
(category names, standard names, region names) looked up here, never as slugs.
"""

import math
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from proof.rules import DTAC_REQUIREMENTS
from registry.choices import DeploymentModel, EsfTier, Region

from .kinds import KIND_LABELS, KINDS
from .params import FACETS, FACETS_BY_NAME, MAX_RESULT_WINDOW, SearchParams
from .query import (
    FACET_GROUP,
    FACET_SELECTED,
    FACET_STALE,
    FACET_VALUES,
    IN_INDEX,
    MARK_END,
    MARK_START,
    QUESTION_WORDS,
)

DEGRADED_HEADING = "Search is simplified right now"
DEGRADED_DETAIL = (
    "Results match your words in product names, suppliers, summaries, clinical areas, "
    "categories, care settings and case studies, but not in full descriptions, and "
    "misspelt words are not corrected."
)
DEGRADED_NOTICE = f"{DEGRADED_HEADING}. {DEGRADED_DETAIL}"
ADOPTION_BANDS = {
    "none": "Not yet adopted",
    "1-4": "1 to 4 organisations",
    "5-19": "5 to 19 organisations",
    "20+": "20 or more organisations",
}
DTAC_LABELS = {"passed": "Passed", "not_passed": "Not passed"}
# Facets whose values read best in a fixed order rather than by count.
FIXED_ORDER_FACETS = {"kind", "esf_tier", "dtac", "adoption", "deployment", "region"}

VOCABULARY_CACHE_KEY = "search:facet-vocabulary:v2"
VOCABULARY_CACHE_SECONDS = 60
VOCABULARY_MIN_RELOAD_SECONDS = 2


# --- Labels ---------------------------------------------------------------------------------


def _load_vocabulary():
    from taggit.models import Tag

    from assessments.models import Standard, StandardCategory
    from registry.models import CareSetting, Category

    standards = list(Standard.objects.order_by("code").values_list("code", "name", "category"))
    clinical_areas = Tag.objects.filter(
        registry_productclinicalareatag_items__isnull=False
    ).values_list("name", flat=True)
    return {
        "kind": dict(KINDS),
        "category": dict(Category.objects.order_by("name").values_list("slug", "name")),
        "care_setting": dict(CareSetting.objects.order_by("name").values_list("slug", "name")),
        "clinical_area": {name.lower(): name for name in sorted(set(clinical_areas))},
        "esf_tier": dict(EsfTier.choices),
        "standard": {code: name for code, name, _ in standards},
        "dtac": dict(DTAC_LABELS),
        "integration": {
            code: name
            for code, name, category in standards
            if category == StandardCategory.INTEROPERABILITY
        },
        "region": dict(Region.choices),
        "adoption": dict(ADOPTION_BANDS),
        "deployment": dict(DeploymentModel.choices),
    }


def facet_vocabulary(fresh=False):
    """{facet name: {value: label}} for every facet: what a filter value may be, and how it
    reads. Cached briefly; `fresh=True` reloads (a category added a moment ago), at most
    every few seconds, so junk in the address cannot make every request reload it."""
    cached = cache.get(VOCABULARY_CACHE_KEY)
    if cached is not None:
        loaded_at, vocabulary = cached
        if not fresh or time.time() - loaded_at < VOCABULARY_MIN_RELOAD_SECONDS:
            return vocabulary
    vocabulary = _load_vocabulary()
    cache.set(VOCABULARY_CACHE_KEY, (time.time(), vocabulary), VOCABULARY_CACHE_SECONDS)
    return vocabulary


def clean_filters(params):
    """(the search with only filter values the registry knows, each unknown one named in a
    notice; the vocabulary)."""
    vocabulary = facet_vocabulary()
    if any(
        value not in vocabulary.get(name, {})
        for name, values in params.filters.items()
        for value in values
    ):
        vocabulary = facet_vocabulary(fresh=True)
    return params.with_known_filters(vocabulary), vocabulary


# --- Highlighting and URLs ------------------------------------------------------------------


def highlight_html(fragment):
    """Escape everything, then turn the engine's private markers into <mark> tags.

    The engine marks matches with characters no one types; escaping first means nothing in
    the indexed text can ever become markup. Unbalanced markers are dropped.
    """
    text = escape(fragment or "")
    if text.count(MARK_START) != text.count(MARK_END):
        return mark_safe(text.replace(MARK_START, "").replace(MARK_END, ""))  # noqa: S308
    return mark_safe(  # noqa: S308 -- escaped above; only our own tags are added
        text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


def plain_html(text):
    return mark_safe(escape(text or ""))  # noqa: S308


#: The sites' root paths are read once per request (and at most this many seconds apart
#: outside requests), not once per result: Wagtail keeps them in the shared cache, a
#: database table, so each read is a query. A new request, or saving, moving or deleting a
#: site or its root, clears this thread's copy (search/signals.py).
SITE_ROOTS_SECONDS = 60
_site_roots = threading.local()


def forget_site_roots(**kwargs):
    _site_roots.paths = None


def site_root_paths():
    from wagtail.models import Site

    now = time.monotonic()
    paths = getattr(_site_roots, "paths", None)
    if paths is None or now - _site_roots.read_at > SITE_ROOTS_SECONDS:
        paths = _site_roots.paths = Site.get_site_root_paths()
        _site_roots.read_at = now
    return paths


def page_url(url_path):
    """The public URL of a page from its Wagtail url_path (what the index stores)."""
    if not url_path:
        return ""
    for root in site_root_paths():
        if url_path.startswith(root.root_path):
            return "/" + url_path[len(root.root_path) :]
    return url_path


# --- The response ---------------------------------------------------------------------------


@dataclass
class SearchResponse:
    """One page of results, with everything the page and the API show about it."""

    params: object  # SearchParams
    results: list
    total: int
    engine: str
    degraded: bool = False
    facets: list = field(default_factory=list)
    did_you_mean: str = ""
    # The results are for did_you_mean, because the words as typed found nothing.
    corrected: bool = False
    took_ms: int = 0
    page_size: int = 20
    sort: str = "relevance"

    @property
    def query(self):
        return self.params.query

    @property
    def page(self):
        return self.params.page

    @property
    def notices(self):
        """What the page shows under its heading; the page says it is degraded its own way."""
        return self.params.notices

    @property
    def num_pages(self):
        return max(1, math.ceil(min(self.total, MAX_RESULT_WINDOW) / self.page_size))

    @property
    def start_index(self):
        return (self.page - 1) * self.page_size + 1 if self.results else 0

    @property
    def end_index(self):
        return self.start_index + len(self.results) - 1 if self.results else 0

    def as_json(self):
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "num_pages": self.num_pages,
            "page_size": self.page_size,
            "sort": self.sort,
            "engine": self.engine,
            "degraded": self.degraded,
            "notices": [DEGRADED_NOTICE, *self.notices] if self.degraded else list(self.notices),
            "did_you_mean": self.did_you_mean or None,
            "corrected": self.corrected,
            "filters": {name: list(values) for name, values in self.params.filters.items()},
            "results": [
                {
                    key: (str(value) if key.endswith("_html") else value)
                    for key, value in result.items()
                }
                for result in self.results
            ],
            "facets": self.facets,
        }


def format_result(source, highlight=None, result_id=""):
    """One result, the same shape from either engine. *_html values are safe to output."""
    highlight = highlight or {}
    kind = source.get("kind", "product")
    title = source.get("title", "")
    summary = source.get("summary", "")
    snippet_html = ""
    snippet_label = ""
    for name, label in (
        ("case_study_titles", "From a case study"),
        ("case_study_outcomes", "From a case study"),
        ("outcomes", "Outcome"),
        ("body", "From the full text"),
    ):
        if highlight.get(name):
            snippet_html = highlight_html(highlight[name][0])
            snippet_label = label
            break
    return {
        "id": str(result_id),
        "kind": kind,
        "kind_label": KIND_LABELS.get(kind, kind),
        "title": title,
        "title_html": highlight_html(highlight["title"][0])
        if highlight.get("title")
        else plain_html(title),
        "url": page_url(source.get("url", "")),
        "summary": summary,
        "summary_html": highlight_html(highlight["summary"][0])
        if highlight.get("summary")
        else plain_html(summary),
        "snippet_html": snippet_html,
        "snippet_label": snippet_label,
        "supplier_name": source.get("supplier_name") or "",
        "organisation_name": source.get("organisation_name") or "",
        "category_name": source.get("category_name") or "",
        "esf_tier": source.get("esf_tier") or "",
        **standards_badges(kind, source.get("met") or ()),
        "adoption_count": source.get("adoption_count"),
        "last_assessed": source.get("last_assessed"),
    }


def standards_badges(kind, met, today=None):
    """`dtac_passed` and `standards_met_count` on the day of the search, from a product's
    standards met and the last day each counts (None for other kinds)."""
    if kind != "product":
        return {"dtac_passed": None, "standards_met_count": None}
    today = (today or timezone.localdate()).isoformat()
    current = {row["code"] for row in met if str(row["until"]) >= today}
    return {
        "dtac_passed": all(current & set(group) for group in DTAC_REQUIREMENTS),
        "standards_met_count": len(current),
    }


def format_hit(hit):
    return format_result(hit.get("_source", {}), hit.get("highlight"), hit.get("_id", ""))


def format_facets(counts, params, vocabulary):
    """Facets for display: [{name, label, options: [{value, label, count, selected}]}].

    `counts` is {facet name: {value: count}}. Values selected but absent from the counts are
    still listed (with their count) so they can be unticked. Facets with nothing to offer
    are left out.
    """
    facets = []
    for facet in FACETS:
        labels = vocabulary.get(facet.name, {})
        facet_counts = counts.get(facet.name, {})
        selected = params.selected(facet.name)
        values = [value for value in facet_counts if value in labels or facet.name == "kind"]
        values += [value for value in selected if value not in values]
        if facet.name in FIXED_ORDER_FACETS:
            order = list(labels)
            values.sort(key=lambda v: order.index(v) if v in order else len(order))
        options = [
            {
                "value": value,
                "label": labels.get(value, value),
                "count": facet_counts.get(value, 0),
                "selected": value in selected,
            }
            for value in values
        ]
        if not options:
            continue
        facets.append(
            {
                "name": facet.name,
                "label": facet.label,
                "selected_count": len(selected),
                "options": options,
            }
        )
    return facets


def facet_counts_from_aggregations(aggregations):
    """{facet name: {value: count}} from the facet aggregations (QueryBuilder.aggregations):
    each facet's top values and the exact counts of its chosen values, whether or not they
    sit inside a shared filter group."""
    flat = {}
    for name, agg in (aggregations or {}).items():
        if name.startswith(FACET_GROUP):
            flat.update({key: value for key, value in agg.items() if isinstance(value, dict)})
        else:
            flat[name] = agg
    counts = {}
    for facet in FACETS:
        top = flat.get(f"{facet.name}{FACET_VALUES}")
        if top is None:
            continue
        values = {}
        if "codes" in top:  # standards met: the flat codes, then row by row (QueryBuilder)
            for bucket in top["codes"]["buckets"]:
                values[str(bucket["key"])] = bucket["doc_count"]
            stale = flat.get(f"{facet.name}{FACET_STALE}", {}).get("met", {})
            for bucket in stale.get("current", {}).get("codes", {}).get("buckets", []):
                key = str(bucket["key"])
                values[key] = values.get(key, 0) + bucket["products"]["doc_count"]
            values = dict(sorted(values.items(), key=lambda item: (-item[1], item[0])))
        elif isinstance(top.get("buckets"), dict):  # DTAC's two states
            for key, bucket in top["buckets"].items():
                values[key] = bucket["doc_count"]
        else:
            for bucket in top.get("buckets", []):
                values[str(bucket["key"])] = bucket["doc_count"]
        chosen = flat.get(f"{facet.name}{FACET_SELECTED}", {}).get("buckets", {})
        for value, bucket in chosen.items():
            values[value] = bucket["doc_count"]
        counts[facet.name] = values
    return counts


def words_in_index(aggregations, held=True):
    """The words typed that some document holds (or, with held=False, that none does),
    from a did-you-mean request's counts (search.query.QueryBuilder.suggestion_body)."""
    buckets = ((aggregations or {}).get(IN_INDEX) or {}).get("buckets") or {}
    return frozenset(
        word for word, bucket in buckets.items() if bool(bucket.get("doc_count")) == held
    )


def did_you_mean_from_suggest(query, suggest, known=frozenset(), every=frozenset()):
    """A corrected query from term suggestions, or '' when nothing better was found.

    Each word the index holds nowhere is replaced by the closest, most frequent word it
    holds; words the index knows are kept as typed, and so are the words of a question
    ("how", "which") and the words in `known` (the synonyms' and lay terms' words: "kids"
    is understood, not misspelt). With `every` (words known to be absent from the index),
    '' unless each of them that could be corrected is: half a correction is no reading.
    """
    replacements = {}
    uncorrected = set()
    for entries in (suggest or {}).values():
        for entry in entries:
            options = entry.get("options") or []
            typed = query[entry["offset"] : entry["offset"] + entry["length"]]
            # Only plain words are corrected: never "A&E", codes or numbers.
            if not typed.isalpha():
                continue
            if typed.lower() in known or typed.lower() in QUESTION_WORDS:
                continue
            if not options:
                uncorrected.add((entry["offset"], typed.lower()))
                continue
            best = max(options, key=lambda option: (option["score"], option["freq"]))
            span = (entry["offset"], entry["length"])
            current = replacements.get(span)
            if current is None or (best["score"], best["freq"]) > current[1:]:
                replacements[span] = (best["text"], best["score"], best["freq"])
    left = {word for offset, word in uncorrected if not any(o == offset for o, _ in replacements)}
    if not replacements or left & every:
        return ""
    corrected = query
    for (offset, length), (text, *_rest) in sorted(replacements.items(), reverse=True):
        corrected = corrected[:offset] + text + corrected[offset + length :]
    return corrected if corrected.lower() != query.lower() else ""


def facet_label(name):
    facet = FACETS_BY_NAME.get(name)
    return facet.label if facet else name


def describe_search(params):
    """A search in words, as a shortlist or a saved search states it: "Search for 'ward';
    Category: Remote monitoring and virtual wards". Labels are today's."""
    vocabulary = facet_vocabulary()
    parts = [f"Search for \u2018{params.query}\u2019" if params.query else "All products"]
    for facet in FACETS:
        values = params.selected(facet.name)
        if values:
            labels = [vocabulary.get(facet.name, {}).get(value, value) for value in values]
            parts.append(f"{facet.label}: {', '.join(labels)}")
    return "; ".join(parts)


def params_from_query_string(query_string):
    """SearchParams from a stored query string, as the search page would read it."""
    from urllib.parse import parse_qsl

    grouped = {}
    for name, value in parse_qsl(query_string):
        grouped.setdefault(name, []).append(value)
    return SearchParams.from_request_data(grouped)


# --- Autocomplete suggestions ---------------------------------------------------------------


def search_url(**params):
    return f"{reverse('search')}?{urlencode(params)}"


TYPE_LABELS = {
    **KIND_LABELS,
    "supplier": "Supplier",
    "category": "Category",
    "organisation": "Organisation",
}


def suggestion(kind, label, url_path=None, url=None):
    return {
        "label": label,
        "type": kind,
        "type_label": TYPE_LABELS.get(kind, kind),
        "url": url or page_url(url_path),
    }


def suggestion_from_completion(option):
    text = option["text"]
    source = option.get("_source", {})
    kind = source.get("kind")
    if text == source.get("title"):
        return suggestion(kind, text, source.get("url"))
    if kind == "product" and text == source.get("supplier_name"):
        return suggestion("supplier", text, url=search_url(q=text))
    if kind == "product" and text == source.get("category_name"):
        return suggestion("category", text, url=search_url(category=source.get("category")))
    return suggestion("organisation", text, url=search_url(q=text))


# Products first, then the ways into a set of products, then reading.
TYPE_ORDER = ["product", "supplier", "category", "guide", "case_study", "organisation"]


def unique_suggestions(suggestions, size):
    seen = set()
    unique = []
    for suggestion in suggestions:
        key = (suggestion["type"], suggestion["label"].lower())
        if key not in seen and suggestion["url"]:
            seen.add(key)
            unique.append(suggestion)
    unique.sort(key=lambda s: TYPE_ORDER.index(s["type"]) if s["type"] in TYPE_ORDER else 99)
    return unique[:size]
