"""The query builder, without a cluster: what each request asks Elasticsearch for."""

import datetime
import json

import pytest
from django.http import QueryDict
from django.test import override_settings

from search.params import (
    FACETS,
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    PAGE_SIZE,
    SearchParams,
    normalise_query,
)
from search.query import (
    FACET_GROUP,
    FACET_VALUES,
    MARK_END,
    MARK_START,
    QueryBuilder,
    autocomplete_body,
    content_words,
    similar_products_body,
)
from search.results import did_you_mean_from_suggest, highlight_html, words_in_index
from search.views import filter_panel


def params_for(query_string):
    return SearchParams.from_request_data(QueryDict(query_string))


def walk(node):
    """Every dict in a nested body, to look for query types anywhere in it."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


# --- Reading the request ----------------------------------------------------------------


def test_words_are_trimmed_and_spaces_collapsed():
    assert params_for("q=%20%20virtual%0A%09ward%20%20").query == "virtual ward"
    assert normalise_query("a\x00b\ue000c") == "a b c"


def test_a_very_long_query_is_cut_short_with_a_notice():
    params = params_for("q=" + "a" * 1000)
    assert len(params.query) == MAX_QUERY_LENGTH
    assert params.query_truncated
    assert any("too long" in notice for notice in params.notices)


@pytest.mark.parametrize(
    ("page", "expected", "noticed"),
    [("3", 3, False), ("0", 1, False), ("-4", 1, False), ("abc", 1, True), ("", 1, False)],
)
def test_page_numbers_are_read_forgivingly(page, expected, noticed):
    params = params_for(f"q=ward&page={page}")
    assert params.page == expected
    assert bool(params.notices) is noticed


def test_pages_beyond_the_result_window_are_clamped():
    params = params_for("q=ward&page=999999999999999999999")
    assert params.page == MAX_PAGE
    assert params.notices


def test_unknown_sort_falls_back_to_best_match():
    params = params_for("q=ward&sort=price")
    assert params.sort == "relevance"
    assert params.notices


def test_facet_values_are_multi_select_and_deduplicated():
    params = params_for("category=a&category=b&category=a&category=&esf_tier=C&colour=red")
    assert params.filters == {"category": ("a", "b"), "esf_tier": ("C",)}


def test_unknown_facet_values_are_dropped_with_a_notice():
    params = params_for("category=remote-monitoring&category=no-such-thing&region=mars")
    cleaned = params.with_known_filters(
        {"category": {"remote-monitoring": "Remote monitoring"}, "region": {"london": "London"}}
    )
    assert cleaned.filters == {"category": ("remote-monitoring",)}
    assert "no-such-thing" in cleaned.notices[-1] and "mars" in cleaned.notices[-1]
    # The request as read is left as it was: each stage adds its own part to a new value.
    assert params.filters["region"] == ("mars",) and not params.notices


def test_a_page_past_the_end_moves_to_the_last_page_once_with_one_notice():
    params = params_for("q=ward&page=9")
    placed = params.on_page(total=45)
    assert (placed.page, placed.requested_page) == (3, 9)
    assert len(placed.notices) == 1 and "only 3 pages" in placed.notices[0]
    assert placed.on_page(total=45) is placed


def test_links_repeat_the_search_with_changes():
    params = params_for("q=ward&category=a&category=b&sort=title&page=3")
    assert params.as_query_items(page=2) == [
        ("q", "ward"),
        ("category", "a"),
        ("category", "b"),
        ("sort", "title"),
        ("page", "2"),
    ]
    assert params.as_query_items(filters={}) == [("q", "ward"), ("sort", "title")]


# --- The text query ---------------------------------------------------------------------


def test_most_of_the_meaningful_words_must_match_across_the_fields():
    query = QueryBuilder(params_for("q=how+can+we+reduce+missed+appointments")).text_query()
    (must,) = query["bool"]["must"]
    # The words of the question say nothing about what is wanted: only the others count.
    assert must["multi_match"]["query"] == "reduce missed appointments"
    assert must["multi_match"]["type"] == "cross_fields"
    assert must["multi_match"]["minimum_should_match"] == "2<-1 4<75%"
    assert "fuzziness" not in must["multi_match"]  # exact words first

    # Every field once and at the same weight (measured: see FIELD_BOOSTS); category, care
    # settings and clinical areas are searched as words.
    fields = must["multi_match"]["fields"]
    assert len(fields) == len(set(fields))
    assert not [field for field in fields if "^" in field]
    assert {"category_name.text", "setting_words", "clinical_areas.text"} <= set(fields)

    kinds = {clause["multi_match"].get("type") for clause in query["bool"]["should"][:2]}
    assert kinds == {"best_fields"}
    exact = query["bool"]["should"][1]["multi_match"]
    assert exact["analyzer"] == "registry_text"  # no synonyms: an exact match scores more
    phrase = query["bool"]["should"][-1]["multi_match"]
    assert phrase["type"] == "phrase" and phrase["boost"] > 1


def test_a_query_of_question_words_only_is_searched_as_typed():
    query = QueryBuilder(params_for("q=app")).text_query()
    assert query["bool"]["must"][0]["multi_match"]["query"] == "app"


def test_the_relaxed_pass_asks_for_fewer_words():
    relaxed = QueryBuilder(params_for("q=hospital+catering+menus"), relaxed=True).text_query()
    assert relaxed["bool"]["must"][0]["multi_match"]["minimum_should_match"] == "1<50%"


def test_the_forgiving_pass_tolerates_typos_in_the_short_fields():
    query = QueryBuilder(params_for("q=diabetis+clinc"), fuzzy=True).text_query()
    (must,) = query["bool"]["must"]
    assert must["multi_match"]["fuzziness"] == "AUTO"
    assert must["multi_match"]["prefix_length"] == 1
    assert "body" not in must["multi_match"]["fields"]


def test_one_word_has_no_phrase_clause():
    query = QueryBuilder(params_for("q=EPR")).text_query()
    assert all(
        clause.get("multi_match", {}).get("type") != "phrase" for clause in query["bool"]["should"]
    )
    assert {"match": {"title.sort": {"query": "EPR", "boost": 10}}} in query["bool"]["should"]


def test_no_words_means_everything():
    assert QueryBuilder(params_for("")).text_query() == {"match_all": {}}


def test_query_syntax_is_never_interpreted():
    text = 'title:(foo OR "bar") AND * ~2 [a TO z] \\ / <script>'
    body = json.dumps(QueryBuilder(params_for("q=" + text)).body())
    assert "query_string" not in body
    assert "simple_query_string" not in body
    clauses = list(walk(QueryBuilder(params_for("q=" + text)).body()["query"]))
    multi = [c["multi_match"] for c in clauses if "multi_match" in c]
    assert all(m["query"] == " ".join(content_words(normalise_query(text))) for m in multi)


# --- Facets -----------------------------------------------------------------------------


def test_selected_filters_narrow_the_hits_but_not_the_counts():
    builder = QueryBuilder(params_for("q=ward&category=a&category=b&esf_tier=C"))
    query = builder.body()["query"]
    assert query["bool"]["must"] == [builder.text_query()]
    assert query["bool"]["filter"] == [
        {"terms": {"category": ["a", "b"]}},
        {"terms": {"esf_tier": ["C"]}},
    ]
    # The counts' request holds the words alone; filters reach it only inside aggregations.
    assert builder.facets_body()["query"] == {"bool": {"filter": [builder.text_query()]}}


def counted_under(aggs):
    """{facet name: the filter clauses its counts are taken under} from the aggregations."""
    counted = {}
    for name, agg in aggs.items():
        if name.startswith(FACET_GROUP):
            for inner in agg["aggs"]:
                if inner.endswith(FACET_VALUES):
                    counted[inner.removesuffix(FACET_VALUES)] = agg["filter"]["bool"]["filter"]
        elif name.endswith(FACET_VALUES):
            counted[name.removesuffix(FACET_VALUES)] = []
    return counted


def test_each_facet_counts_with_every_other_facet_filter_but_its_own():
    aggs = QueryBuilder(params_for("category=a&category=b&esf_tier=C&region=london")).aggregations()
    counted = counted_under(aggs)
    category = {"terms": {"category": ["a", "b"]}}
    tier = {"terms": {"esf_tier": ["C"]}}
    region = {"terms": {"adopter_regions": ["london"]}}
    assert counted["category"] == [tier, region]
    assert counted["esf_tier"] == [category, region]
    assert counted["region"] == [category, tier]
    # A facet nobody chose from counts with all the filters.
    assert counted["care_setting"] == [category, tier, region]
    # Chosen values are always counted exactly, even outside the top values.
    group = next(agg for agg in aggs.values() if "category__values" in agg.get("aggs", {}))
    assert set(group["aggs"]["category__selected"]["filters"]["filters"]) == {"a", "b"}


def test_facets_counted_under_the_same_filters_share_one_filter():
    """Filters in two facets make three groups: one per chosen facet, one for the rest."""
    aggs = QueryBuilder(params_for("category=a&esf_tier=C")).aggregations()
    groups = [name for name in aggs if name.startswith(FACET_GROUP)]
    assert len(groups) == 3
    unchosen = max((aggs[name] for name in groups), key=lambda agg: len(agg["aggs"]))
    assert unchosen["aggs"]["care_setting__values"]["terms"]["field"] == "care_settings"
    assert len(unchosen["filter"]["bool"]["filter"]) == 2


def test_with_no_filters_every_facet_counts_everything_the_words_find():
    counted = counted_under(QueryBuilder(params_for("q=ward")).aggregations())
    assert counted == {facet.name: [] for facet in FACETS}


def test_every_facet_is_aggregated():
    for query in ("", "category=a&region=london"):
        assert set(counted_under(QueryBuilder(params_for(query)).aggregations())) == {
            "kind",
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
        }


def test_facet_counts_ignore_the_page_and_order_and_score_nothing():
    first = QueryBuilder(params_for("q=ward&category=a&sort=title")).facets_body()
    again = QueryBuilder(params_for("q=ward&category=a&page=3")).facets_body()
    assert first == again
    assert first["size"] == 0
    # The words select documents in filter context: no scores are computed for counting.
    assert "filter" in first["query"]["bool"] and "must" not in first["query"]["bool"]
    hits = QueryBuilder(params_for("q=ward&category=a")).body()
    assert "aggs" not in hits
    assert hits["query"]["bool"]["filter"] == [{"terms": {"category": ["a"]}}]


def test_dtac_passed_compares_the_last_passing_day_with_the_day_of_the_search():
    day = datetime.date(2026, 12, 3)
    body = QueryBuilder(params_for("dtac=passed"), today=day).body()
    (clause,) = body["query"]["bool"]["filter"]
    assert clause == {"range": {"dtac_until": {"gte": "2026-12-03"}}}


def test_a_standard_filter_counts_only_rows_unexpired_on_the_day_of_the_search():
    day = datetime.date(2026, 12, 3)
    builder = QueryBuilder(params_for("standard=DSPT&standard=CE"), today=day)
    (clause,) = builder.body()["query"]["bool"]["filter"]
    flat, by_row = clause["bool"]["should"]
    assert clause["bool"]["minimum_should_match"] == 1
    # Every standard met still counts: the flat codes.
    assert flat["bool"]["filter"] == [
        {"terms": {"met_codes": ["DSPT", "CE"]}},
        {"range": {"met_all_until": {"gte": "2026-12-03"}}},
    ]
    # One has expired since the product was indexed: row by row, on the day.
    assert by_row["bool"]["filter"] == [
        {"range": {"met_all_until": {"lt": "2026-12-03"}}},
        {
            "nested": {
                "path": "met",
                "ignore_unmapped": True,
                "query": {
                    "bool": {
                        "filter": [
                            {"terms": {"met.code": ["DSPT", "CE"]}},
                            {"range": {"met.until": {"gte": "2026-12-03"}}},
                        ]
                    }
                },
            }
        },
    ]
    # The only filter is on this facet, so its counts are not wrapped in a filter group.
    counted = builder.facets_body()["aggs"]
    assert counted["standard__values"]["filter"] == {
        "range": {"met_all_until": {"gte": "2026-12-03"}}
    }
    stale = counted["standard__stale"]
    assert stale["filter"] == {"range": {"met_all_until": {"lt": "2026-12-03"}}}
    assert stale["aggs"]["met"]["aggs"]["current"]["filter"] == {
        "bool": {"filter": [{"range": {"met.until": {"gte": "2026-12-03"}}}]}
    }


def test_no_filters_leave_the_words_alone():
    builder = QueryBuilder(params_for("q=ward"))
    assert builder.body()["query"] == builder.text_query()


# --- Order and pages --------------------------------------------------------------------


def test_relevance_breaks_ties_by_the_stable_tiebreak_then_the_page_path():
    sort = QueryBuilder(params_for("q=ward")).sort()
    assert sort == ["_score", {"tiebreak": {"order": "asc"}}, {"url": {"order": "asc"}}]


@pytest.mark.parametrize(
    ("sort", "first"),
    [("adopted", "adoption_count"), ("assessed", "last_assessed"), ("title", "title.sort")],
)
def test_other_orders_still_end_in_the_tiebreak(sort, first):
    order = QueryBuilder(params_for(f"q=ward&sort={sort}")).sort()
    assert first in order[0]
    assert order[-2:] == [{"tiebreak": {"order": "asc"}}, {"url": {"order": "asc"}}]


def test_no_words_orders_a_to_z():
    builder = QueryBuilder(params_for("category=a"))
    assert builder.effective_sort() == "title"


def test_pagination_offsets():
    body = QueryBuilder(params_for("q=ward&page=3")).body()
    assert body["from"] == 2 * PAGE_SIZE
    assert body["size"] == PAGE_SIZE


def test_the_number_found_comes_from_the_counts_under_every_filter():
    builder = QueryBuilder(params_for("q=ward&category=a&care_setting=b"))
    # The page of hits does not count (so Elasticsearch can skip what cannot reach the page);
    # the facet request counts the words under every chosen filter.
    assert builder.body()["track_total_hits"] is False
    facets = builder.facets_body()
    assert facets["track_total_hits"] is True
    assert facets["post_filter"] == {"bool": {"filter": builder.filter_clauses()}}
    assert "post_filter" not in QueryBuilder(params_for("q=ward")).facets_body()


@override_settings(SEARCH_INDEX_PREFIX="unit")
def test_searches_the_three_aliases():
    assert QueryBuilder.indices() == ["unit-products", "unit-case-studies", "unit-guides"]


# --- Highlighting -----------------------------------------------------------------------


def test_highlights_use_private_markers():
    highlight = QueryBuilder(params_for("q=ward")).body()["highlight"]
    assert highlight["pre_tags"] == [MARK_START]
    assert highlight["post_tags"] == [MARK_END]
    assert {"title", "summary", "case_study_titles"} <= set(highlight["fields"])


def test_highlighting_never_expands_typos():
    builder = QueryBuilder(params_for("q=diabetis"), fuzzy=True)
    highlight_query = builder.highlight()["highlight_query"]["multi_match"]
    assert highlight_query["query"] == "diabetis"
    assert "fuzziness" not in highlight_query


def test_highlighted_text_is_escaped_and_only_marks_become_markup():
    fragment = f"<script>alert(1)</script> {MARK_START}ward{MARK_END} & <b>co</b>"
    html = highlight_html(fragment)
    assert html == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <mark>ward</mark> &amp; &lt;b&gt;co&lt;/b&gt;"
    )


def test_unbalanced_markers_are_dropped():
    assert highlight_html(f"a {MARK_START}b") == "a b"


# --- Autocomplete, similar products, did you mean ---------------------------------------


def test_autocomplete_uses_the_completion_field_and_title_prefixes():
    body = autocomplete_body("virt")
    assert body["suggest"]["names"]["completion"]["field"] == "suggest"
    assert body["suggest"]["names"]["completion"]["fuzzy"]["prefix_length"] == 1
    assert body["query"]["bool"]["must"][0]["match"]["title.prefix"]["query"] == "virt"
    assert "fuzzy" not in autocomplete_body("vi")["suggest"]["names"]["completion"]


@override_settings(SEARCH_INDEX_PREFIX="unit")
def test_similar_products_uses_more_like_this_without_the_product_itself():
    mlt = similar_products_body(42)["query"]["more_like_this"]
    assert mlt["like"] == [{"_index": "unit-products", "_id": "42"}]
    assert mlt["include"] is False


def test_did_you_mean_replaces_misspelt_words_only():
    suggest = {
        "title": [
            {"text": "diabetis", "offset": 0, "length": 8, "options": [
                {"text": "diabetes", "score": 0.8, "freq": 4},
                {"text": "diabetic", "score": 0.7, "freq": 9},
            ]},
            {"text": "coach", "offset": 9, "length": 5, "options": []},
        ]
    }  # fmt: skip
    assert did_you_mean_from_suggest("diabetis coach", suggest) == "diabetes coach"
    assert did_you_mean_from_suggest("diabetes coach", {"title": []}) == ""


def test_did_you_mean_asks_which_words_the_index_holds_and_two_readings():
    body = QueryBuilder(SearchParams(query="Pallative care, A&E 24")).suggestion_body()
    counts = body["aggs"]["in_index"]["filters"]["filters"]
    assert set(counts) == {"pallative", "care", "a", "e"}
    assert counts["care"] == {"match": {"spelling": {"query": "care", "operator": "and"}}}
    edits = {name: entry["term"]["max_edits"] for name, entry in body["suggest"].items()
             if name != "text"}  # fmt: skip
    assert edits == {"close": 1, "wide": 2}


def test_a_word_some_index_holds_is_never_corrected():
    """The suggester judges a word missing shard by shard: "care" missing from the guides'
    index would still be "corrected" from their words, but another index holds it."""
    suggest = {
        "close": [
            {"text": "pallative", "offset": 0, "length": 9, "options": [
                {"text": "palliative", "score": 0.9, "freq": 3},
            ]},
            {"text": "care", "offset": 10, "length": 4, "options": [
                {"text": "core", "score": 0.75, "freq": 2},
            ]},
        ]
    }  # fmt: skip
    in_index = words_in_index({"in_index": {"buckets": {
        "pallative": {"doc_count": 0}, "care": {"doc_count": 12},
    }}})  # fmt: skip
    assert in_index == {"care"}
    assert did_you_mean_from_suggest("pallative care", suggest, in_index) == "palliative care"
    assert did_you_mean_from_suggest("pallative care", suggest) == "palliative core"


def test_the_close_reading_corrects_every_unknown_word_or_none():
    suggest = {
        "close": [
            {"text": "physiotherapie", "offset": 0, "length": 14, "options": []},
            {"text": "plannerr", "offset": 15, "length": 8, "options": [
                {"text": "planner", "score": 0.9, "freq": 3},
            ]},
        ]
    }  # fmt: skip
    absent = frozenset({"physiotherapie", "plannerr"})
    query = "physiotherapie plannerr"
    assert did_you_mean_from_suggest(query, suggest, every=absent) == ""
    assert did_you_mean_from_suggest(query, suggest) == "physiotherapie planner"


def test_spelling_exact_is_read_and_kept_in_links():
    params = SearchParams.from_request_data({"q": "pallative", "spelling": "exact"})
    assert params.exact_spelling
    assert params.as_query_items(page=2) == [
        ("q", "pallative"),
        ("spelling", "exact"),
        ("page", "2"),
    ]
    assert not SearchParams.from_request_data({"q": "x", "spelling": "loose"}).exact_spelling
    assert SearchParams(query="pallative").as_query_items(spelling="exact") == [
        ("q", "pallative"),
        ("spelling", "exact"),
    ]


def test_did_you_mean_leaves_codes_and_symbols_alone():
    suggest = {
        "title": [
            {"text": "aande", "offset": 0, "length": 3, "options": [
                {"text": "case", "score": 0.6, "freq": 40},
            ]},
        ]
    }  # fmt: skip
    assert did_you_mean_from_suggest("A&E", suggest) == ""


# --- The filter panel -----------------------------------------------------------------------


def test_filter_checkboxes_have_their_own_ids_and_counts_that_read_as_numbers():
    def option(value, count, selected=False):
        return {"value": value, "label": value.title(), "count": count, "selected": selected}

    facets = [
        {
            "name": "kind",
            "label": "Type",
            "selected_count": 0,
            "options": [option("product", 12345)],
        },
        {"name": "category", "label": "Category", "selected_count": 0, "options": [option("a", 2)]},
        {"name": "esf_tier", "label": "Tier", "selected_count": 0, "options": [option("b", 1)]},
        {
            "name": "region",
            "label": "Region",
            "selected_count": 1,
            "options": [option("london", 7, selected=True), option("north_west", 3)],
        },
        {"name": "adoption", "label": "Adoption", "selected_count": 0, "options": [option("x", 1)]},
    ]
    panel = filter_panel(facets)
    ids = [option["input_id"] for facet in panel for option in facet["options"]]
    assert len(ids) == len(set(ids))
    assert ids[-3:] == ["filter-region-1", "filter-region-2", "filter-adoption-1"]
    assert panel[0]["options"][0]["count_text"] == "12,345"
    # The first three start open, and any with a value chosen; the rest closed.
    assert [facet["open"] for facet in panel] == [True, True, True, True, False]


def test_words_that_join_others_need_not_match():
    assert content_words("Urdu and Bengali") == ["Urdu", "Bengali"]


def test_every_word_somewhere_scores_above_most_of_them():
    def all_words_clauses(text):
        should = QueryBuilder(SearchParams(query=text)).text_query()["bool"]["should"]
        return [
            clause["multi_match"]
            for clause in should
            if clause.get("multi_match", {}).get("operator") == "and"
        ]

    [every] = all_words_clauses("cataract waiting list")
    assert every["type"] == "cross_fields"
    assert every["query"] == "cataract waiting list"
    # One word: the required clause already asks for all of it.
    assert all_words_clauses("cataract") == []
