"""The database engine: answers a search from the database when Elasticsearch cannot.

The same SearchParams in, the same SearchResponse out as `search.engine`, so the page and
the API never need to know which engine answered (`engine` is "database" and `degraded` is
true). Nothing here talks to Elasticsearch. It runs the same on PostgreSQL and on SQLite
(the embedded default), in SQL:

- **Words**: the words of a question are dropped (search.query.content_words), and each
  remaining word, or a phrase the synonyms or lay terms name, becomes a group of the terms
  it stands for (search.analysis.load_synonyms: the index's rules, read the same way).
  search.fulltext matches the groups against each page's weighted words (PostgreSQL
  full-text search or SQLite FTS5). Most groups must match, as on Elasticsearch (all of
  one or two, all but one of three or four, three in four of more); one or two results are
  followed by the best matches for some of the words; when nothing matches, one of up to
  three and half of more, with the same notice; then the words corrected, when a word is
  one the registry holds in no form.
- **Ranking**: the groups matched (on PostgreSQL each weighing more the fewer pages it
  matches: BM25's inverse document frequency), then the engine's rank (ts_rank_cd or
  bm25, the words as typed counting again), then name.
- **Filters and facets**: every facet, with the meaning it has on Elasticsearch: standards
  and integrations count only while met and unexpired today; DTAC is derived by
  proof.rules.DTAC_REQUIREMENTS; regions and adoption from confirmed adoptions. Counts come
  from SQL, each facet under every other facet's filter.
"""

import dataclasses
import re

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from proof.rules import DTAC_REQUIREMENTS

from . import fulltext
from .analysis import known_words, load_synonyms
from .fulltext import normalise
from .kinds import KINDS
from .params import PAGE_SIZE
from .query import MARK_END, MARK_START, QUESTION_WORDS, content_words
from .results import (
    SearchResponse,
    format_facets,
    format_result,
    page_url,
    search_url,
    suggestion,
    unique_suggestions,
)

DATABASE = "database"
MAX_DATABASE_WORDS = 12
RELAXED_NOTICE = "No results had all of your words, so these results have some of them."
# Fewer results than this with most of the words: the best matches for some of them follow
# (as search.engine).
FEW_RESULTS = 3

# Filters that are a column (or one join) of the product.
COLUMN_FILTERS = {
    "category": "category__slug",
    "esf_tier": "esf_tier",
    "deployment": "deployment_model",
}
PRODUCT_FACETS = (
    "category",
    "care_setting",
    "clinical_area",
    "esf_tier",
    "standard",
    "dtac",
    "integration",
    "region",
    "adoption",
    "deployment",
)
# Every facet is applied: kept for the saved-search alerts, which ask before relying on it.
DATABASE_FACETS = ("kind", *PRODUCT_FACETS)


# --- Words ----------------------------------------------------------------------------------


def _rules():
    """[(terms that trigger it, terms it stands for)] from the synonym rules."""
    parsed = []
    for rule in load_synonyms():
        if "=>" in rule:
            left, right = rule.split("=>", 1)
        else:
            left = right = rule
        split = [" ".join(term.split()) for term in left.split(",") if term.strip()]
        parsed.append((split, [" ".join(t.split()) for t in right.split(",") if t.strip()]))
    return parsed


def word_groups(query):
    """The groups of terms a query stands for: [[term, ...], ...], one per meaningful word
    or per phrase the rules name, in order; each group's first term is the one typed."""
    if not query:
        return []
    words = normalise(" ".join(content_words(query)) or query).split()[:MAX_DATABASE_WORDS]
    rules = _rules()
    phrases = {term for left, _ in rules for term in left if " " in term}
    longest = max((len(phrase.split()) for phrase in phrases), default=1)
    groups = []
    position = 0
    while position < len(words):
        for size in range(min(longest, len(words) - position), 0, -1):
            term = " ".join(words[position : position + size])
            if size == 1 or term in phrases:
                groups.append(_expand(term, rules))
                position += size
                break
    return groups


def _expand(term, rules):
    terms = [term]
    for left, right in rules:
        if term in left:
            terms += right
    if term == "aande":
        terms += ["a&e", "a & e"]
    return list(dict.fromkeys(terms))


def _pattern(term):
    """A case-insensitive regular expression for `term` as whole words, a plural allowed:
    what the results' highlights mark."""
    term = term.lower()
    if len(term) > 4 and term.endswith("s") and not term.endswith("ss"):
        term = term[:-1]
    escaped = re.escape(term).replace(r"\ ", r"[^a-z0-9]+")
    return f"(^|[^a-z0-9]){escaped}(s|es)?([^a-z0-9]|$)"


def _pages(kind):
    from registry.models import BestPracticePage, CaseStudyPage, ProductPage

    model = {"product": ProductPage, "case_study": CaseStudyPage, "guide": BestPracticePage}[kind]
    return model.objects.live().public()


def minimum_groups(count, relaxed=False):
    """How many groups must match: as search.query.QueryBuilder.minimum_should_match."""
    if relaxed:
        return 1 if count <= 3 else count // 2
    if count <= 2:
        return count
    if count <= 4:
        return count - 1
    return int(count * 0.75)


# --- Filters --------------------------------------------------------------------------------


def met_today(codes, today, interoperability=False):
    """Products with one of these standards met and unexpired on `today` (Exists)."""
    from assessments.models import ComplianceStatus, ProductCompliance, StandardCategory

    rows = ProductCompliance.objects.filter(
        product=OuterRef("pk"), standard__code__in=list(codes), status=ComplianceStatus.MET
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    if interoperability:
        rows = rows.filter(standard__category=StandardCategory.INTEROPERABILITY)
    return Exists(rows)


def dtac_passed(today):
    condition = Q()
    for group in DTAC_REQUIREMENTS:
        condition &= Q(met_today(group, today))
    return condition


ADOPTION_BANDS = {"none": (0, 0), "1-4": (1, 4), "5-19": (5, 19), "20+": (20, None)}


def _with_adoptions(pages):
    from registry.models import Adoption

    confirmed = (
        Adoption.objects.filter(product=OuterRef("pk"), confirmed=True)
        .order_by()
        .values("product")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return pages.annotate(
        confirmed_adoptions=Coalesce(Subquery(confirmed, output_field=IntegerField()), 0)
    )


def filter_condition(name, values, today):
    """A Q for one facet's chosen values (OR within the facet), as on Elasticsearch."""
    from registry.models import Adoption, ProductClinicalAreaTag, ProductPage

    values = list(values)
    if name in COLUMN_FILTERS:
        return Q(**{f"{COLUMN_FILTERS[name]}__in": values})
    if name == "care_setting":
        return Q(
            Exists(
                ProductPage.care_settings.through.objects.filter(
                    productpage_id=OuterRef("pk"), caresetting__slug__in=values
                )
            )
        )
    if name == "clinical_area":
        condition = Q()
        for value in values:
            condition |= Q(
                Exists(
                    ProductClinicalAreaTag.objects.filter(
                        content_object=OuterRef("pk"), tag__name__iexact=value
                    )
                )
            )
        return condition
    if name == "standard":
        return Q(met_today(values, today))
    if name == "integration":
        return Q(met_today(values, today, interoperability=True))
    if name == "dtac":
        if set(values) == {"passed"}:
            return dtac_passed(today)
        if set(values) == {"not_passed"}:
            return ~dtac_passed(today)
        return Q()
    if name == "region":
        return Q(
            Exists(
                Adoption.objects.filter(
                    product=OuterRef("pk"), confirmed=True, organisation__region__in=values
                )
            )
        )
    if name == "adoption":
        condition = Q()
        for value in values:
            low, high = ADOPTION_BANDS.get(value, (None, None))
            if low is None:
                continue
            band = Q(confirmed_adoptions__gte=low)
            if high is not None:
                band &= Q(confirmed_adoptions__lte=high)
            condition |= band
        return condition
    return Q()


def _apply_product_filters(pages, filters, today, exclude=None):
    if "adoption" in filters and exclude != "adoption":
        pages = _with_adoptions(pages)
    for name in PRODUCT_FACETS:
        values = filters.get(name)
        if values and name != exclude:
            pages = pages.filter(filter_condition(name, values, today))
    return pages


def _kinds_for(filters, exclude_kind=False):
    """Which kinds can match: product filters leave only products, as in the index."""
    kinds = list(KINDS)
    if not exclude_kind and filters.get("kind"):
        kinds = [kind for kind in kinds if kind in filters["kind"]]
    if any(filters.get(name) for name in PRODUCT_FACETS):
        kinds = [kind for kind in kinds if kind == "product"]
    return kinds


# --- A search -------------------------------------------------------------------------------


def _scored(groups, relaxed):
    """{kind: {page id: (weight of the groups matched, rank)}} for the live, public pages
    matching the words (search.fulltext): the words are matched once, and every filter and
    count then works on these ids. With no words, every page, unranked."""
    if not groups:
        return {
            kind: dict.fromkeys(_pages(kind).values_list("pk", flat=True), (0, 0.0))
            for kind in KINDS
        }
    return fulltext.match(
        KINDS,
        groups,
        minimum_groups(len(groups), relaxed),
        exact_terms=[terms[0] for terms in groups],
    )


# Above this many ids, `among` sends them as one array.
MANY_IDS = 1000


def among(ids):
    """For `pk__in`: many ids as one array parameter on PostgreSQL (tens of thousands of ids
    as separate parameters cost more to send and plan than the query costs to run); a few
    as a list, which the planner estimates better."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql" and len(ids) > MANY_IDS:
        return RawSQL("SELECT unnest(%s::integer[])", [ids])
    return ids


def _products(ids, filters, today, exclude=None):
    from registry.models import ProductPage

    return _apply_product_filters(
        ProductPage.objects.filter(pk__in=among(ids)), filters, today, exclude=exclude
    )


def spelling_correction(query):
    """The query with each word the index holds in no form replaced by the nearest word it
    holds, or '' when no word needs it (or none is near). Words the synonyms and lay terms
    name, question words, codes and numbers are kept as typed."""
    known = known_words()
    corrected = query
    for word in dict.fromkeys(content_words(query)):
        bare = word.strip("?.,!").lower()
        if not bare.isalpha() or len(bare) < 3 or bare in known or bare in QUESTION_WORDS:
            continue
        if fulltext.finds_anything(bare):
            continue
        closest = fulltext.closest_word(bare)
        if closest:
            corrected = re.sub(rf"\b{re.escape(bare)}\b", closest, corrected, flags=re.IGNORECASE)
    return corrected if corrected.lower() != query.lower() else ""


@dataclasses.dataclass(frozen=True)
class _Found:
    groups: list
    scored: dict  # {kind: {id: (matched, rank)}} before the product filters
    found: dict  # the same, after them
    total: int


def search(params, vocabulary):
    """The user's words first, most of them required; one or two results: the best matches
    for some of the words after them; none: some of the words (with a notice), then the
    words corrected ("Showing results for ..."), as search.engine does."""
    today = timezone.localdate()
    filters = dict(params.filters)
    kinds = _kinds_for(filters)

    def matching(query, relaxed=False):
        groups = word_groups(query) if query else []
        scored = _scored(groups, relaxed)
        kept = set(_products(scored["product"], filters, today).values_list("pk", flat=True))
        found = {**scored, "product": {pk: scored["product"][pk] for pk in kept}}
        return _Found(groups, scored, found, sum(len(found[kind]) for kind in kinds))

    result = matching(params.query)
    notice = did_you_mean = ""
    several_words = len(result.groups) > 1
    if params.query and several_words and 0 < result.total < FEW_RESULTS:
        relaxed = matching(params.query, relaxed=True)
        if relaxed.total > result.total:
            result = relaxed
    if params.query and not result.total and several_words:
        relaxed = matching(params.query, relaxed=True)
        if relaxed.total:
            result, notice = relaxed, RELAXED_NOTICE
    if params.query and not result.total:
        correction = spelling_correction(params.query)
        if correction:
            corrected = matching(correction)
            if corrected.total:
                result, did_you_mean = corrected, correction
    if notice:
        params = params.with_notice(notice)
    params = params.on_page(result.total)

    by_relevance = bool(result.groups) and params.sort == "relevance"
    rows = [
        (result.found[kind][pk], title, pk, kind)
        for kind in kinds
        for pk, title in _pages(kind)
        .filter(pk__in=among(result.found[kind]))
        .values_list("pk", "title")
    ]
    if by_relevance:
        rows.sort(key=lambda row: (-row[0][0], -row[0][1], row[1].lower(), row[2]))
    else:
        rows.sort(key=lambda row: (row[1].lower(), row[2]))
    offset = (params.page - 1) * PAGE_SIZE
    results = _results(rows[offset : offset + PAGE_SIZE], result.groups, today)
    counts = _facet_counts(result.scored, filters, today)
    return SearchResponse(
        params=params,
        results=results,
        total=result.total,
        engine=DATABASE,
        degraded=True,
        facets=format_facets(counts, params, vocabulary),
        did_you_mean=did_you_mean,
        corrected=bool(did_you_mean),
        page_size=PAGE_SIZE,
        sort="relevance" if by_relevance else "title",
    )


def _dtac_passed_count(ids, today):
    """How many of these products pass DTAC today (as dtac_passed), in one pass over their
    compliance rows rather than a lookup per product and requirement."""
    from assessments.models import ComplianceStatus, ProductCompliance

    per_requirement = {
        f"requirement_{number}": Count("pk", filter=Q(standard__code__in=list(group)))
        for number, group in enumerate(DTAC_REQUIREMENTS)
    }
    return (
        ProductCompliance.objects.filter(product_id__in=ids, status=ComplianceStatus.MET)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .order_by()
        .values("product_id")
        .annotate(**per_requirement)
        .filter(**{f"{name}__gt": 0 for name in per_requirement})
        .count()
    )


def _facet_counts(scored, filters, today):
    """Counts for every facet, with the same multi-select rule as the index: each facet
    counts with every other facet's filter applied, never its own."""
    from assessments.models import ComplianceStatus, ProductCompliance, StandardCategory
    from registry.models import Adoption, ProductClinicalAreaTag, ProductPage

    counts = {}
    kind_counts = {}
    for kind in _kinds_for(filters, exclude_kind=True):
        if kind == "product":
            kind_counts[kind] = _products(scored["product"], filters, today).count()
        else:
            kind_counts[kind] = len(scored[kind])
    counts["kind"] = {kind: count for kind, count in kind_counts.items() if count}
    if filters.get("kind") and "product" not in filters["kind"]:
        return counts
    for name in PRODUCT_FACETS:
        ids = _products(scored["product"], filters, today, exclude=name).order_by().values("pk")
        if name in COLUMN_FILTERS or name == "care_setting":
            field = COLUMN_FILTERS.get(name, "care_settings__slug")
            rows = (
                ProductPage.objects.filter(pk__in=ids)
                .order_by()
                .values(field)
                .annotate(count=Count("pk", distinct=True))
            )
            counts[name] = {row[field]: row["count"] for row in rows if row[field]}
        elif name == "clinical_area":
            rows = (
                ProductClinicalAreaTag.objects.filter(content_object_id__in=ids)
                .order_by()
                .values("tag__name")
                .annotate(count=Count("content_object_id", distinct=True))
            )
            counts[name] = {row["tag__name"].lower(): row["count"] for row in rows}
        elif name in ("standard", "integration"):
            rows = ProductCompliance.objects.filter(
                product_id__in=ids, status=ComplianceStatus.MET
            ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
            if name == "integration":
                rows = rows.filter(standard__category=StandardCategory.INTEROPERABILITY)
            rows = (
                rows.order_by()
                .values("standard__code")
                .annotate(count=Count("product_id", distinct=True))
            )
            counts[name] = {row["standard__code"]: row["count"] for row in rows}
        elif name == "dtac":
            passed = _dtac_passed_count(ids, today)
            every = ProductPage.objects.filter(pk__in=ids).count()
            counts[name] = {"passed": passed, "not_passed": every - passed}
        elif name == "region":
            rows = (
                Adoption.objects.filter(product_id__in=ids, confirmed=True)
                .exclude(organisation__region="")
                .order_by()
                .values("organisation__region")
                .annotate(count=Count("product_id", distinct=True))
            )
            counts[name] = {row["organisation__region"]: row["count"] for row in rows}
        elif name == "adoption":
            banded = _with_adoptions(ProductPage.objects.filter(pk__in=ids))
            counts[name] = {}
            for band in ADOPTION_BANDS:
                count = banded.filter(filter_condition("adoption", [band], today)).count()
                if count:
                    counts[name][band] = count
    return counts


# --- Results --------------------------------------------------------------------------------


def _mark_words(text, groups):
    """Mark each term searched for in text, as the index's highlighter would."""
    terms = [term for terms in groups for term in terms]
    if not text or not terms:
        return text
    pattern = re.compile(
        "|".join(_pattern(term) for term in sorted(terms, key=len, reverse=True)),
        re.IGNORECASE,
    )

    def mark(match):
        whole = match.group(0)
        start = len(match.group(1) or "")
        end = len(whole) - len(match.groups()[-1] or "")
        return f"{whole[:start]}{MARK_START}{whole[start:end]}{MARK_END}{whole[end:]}"

    return pattern.sub(mark, text)


def _results(rows, groups, today):
    from assessments.models import ProductCompliance
    from registry.models import BestPracticePage, CaseStudyPage, ProductPage

    ids = {kind: [pk for _, _, pk, row_kind in rows if row_kind == kind] for kind in KINDS}
    loaded = {
        "product": ProductPage.objects.select_related("supplier", "category").in_bulk(
            ids["product"]
        ),
        "case_study": CaseStudyPage.objects.select_related("organisation").in_bulk(
            ids["case_study"]
        ),
        "guide": BestPracticePage.objects.in_bulk(ids["guide"]),
    }
    met = {}
    assessed = {}
    for product_id, code, status, assessed_on, expires_on in ProductCompliance.objects.filter(
        product_id__in=ids["product"]
    ).values_list("product_id", "standard__code", "status", "assessed_on", "expires_on"):
        if status == "met":
            met.setdefault(product_id, []).append(
                {"code": code, "until": (expires_on or timezone.datetime.max.date()).isoformat()}
            )
        if assessed_on:
            assessed[product_id] = max(assessed.get(product_id, assessed_on), assessed_on)
    adoptions = dict(
        _with_adoptions(ProductPage.objects.filter(pk__in=ids["product"]))
        .order_by()
        .values_list("pk", "confirmed_adoptions")
    )
    results = []
    for _, _, pk, kind in rows:
        page = loaded[kind].get(pk)
        if page is None:
            continue
        source = {"kind": kind, "title": page.title, "summary": page.summary, "url": page.url_path}
        if kind == "product":
            source.update(
                supplier_name=page.supplier.name,
                category=page.category.slug,
                category_name=page.category.name,
                esf_tier=page.esf_tier,
                met=met.get(pk, []),
                adoption_count=adoptions.get(pk, 0),
                last_assessed=assessed[pk].isoformat() if pk in assessed else None,
            )
        elif kind == "case_study":
            source["organisation_name"] = page.organisation.name
        highlight = {
            "title": [_mark_words(page.title, groups)],
            "summary": [_mark_words(page.summary, groups)],
        }
        results.append(format_result(source, highlight, page.pk))
    return results


# --- Autocomplete, similar products, saved searches -----------------------------------------


def autocomplete(text, size):
    from registry.models import Category, Organisation, ProductPage

    products = (
        ProductPage.objects.live()
        .public()
        .filter(title__icontains=text)
        .order_by("title")
        .values_list("title", "url_path")[:5]
    )
    suppliers = (
        Organisation.objects.filter(name__icontains=text, products__live=True)
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)[:3]
    )
    categories = Category.objects.filter(name__icontains=text).order_by("name")[:3]
    suggestions = [suggestion("product", title, path) for title, path in products]
    suggestions += [suggestion("supplier", name, url=search_url(q=name)) for name in suppliers]
    suggestions += [
        suggestion("category", category.name, url=search_url(category=category.slug))
        for category in categories
    ]
    return unique_suggestions(suggestions, size)


def similar_products(page, size):
    from registry.models import ProductPage

    products = (
        ProductPage.objects.live()
        .public()
        .filter(category_id=page.category_id)
        .exclude(pk=page.pk)
        .select_related("supplier")
        .order_by("title", "pk")[:size]
    )
    return [
        {
            "title": product.title,
            "url": page_url(product.url_path),
            "supplier_name": product.supplier.name,
            "summary": product.summary,
        }
        for product in products
    ]


def newly_published_candidates(params):
    """Ids of live, public products matching the words and the filters, as the search
    page would find them."""
    today = timezone.localdate()
    scored = _scored(word_groups(params.query), relaxed=False)
    return _products(scored["product"], params.filters, today).values_list("pk", flat=True)
