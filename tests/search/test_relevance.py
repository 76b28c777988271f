"""The right results first, against the real Elasticsearch: users' own words (acronyms,
typos, plurals, supplier names), honest facet counts, only public content, a stable order."""

import datetime

import pytest

from assessments.models import Standard
from registry.models import CareSetting, Category

from ..assessments.factories import ComplianceFactory
from ..registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    GuideFactory,
    OrganisationFactory,
    ProductFactory,
    SupplierFactory,
)
from .asking import api_search, facet_counts, titles
from .indices import index_on_demand

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch]


@pytest.fixture
def indexed(es_client, settings):
    yield from index_on_demand(es_client, settings)


FILLER = "Helps teams work together and saves staff time every week."


def product(title, summary=FILLER, **kwargs):
    return ProductFactory(title=title, summary=summary, **kwargs)


# --- Users' own words (acronyms, typos and plurals on one shared catalogue are in
# test_relevance_vocabulary.py) ---------------------------------------------------------------


def test_a_typo_with_no_correction_on_offer_is_forgiven(client, indexed):
    """The spelling suggester knows the words of names and summaries; a typo of a word
    found only in a clinical area still finds its product, through the typo-tolerant pass."""
    product(
        "BloodTrack",
        "Follows samples from the ward to the laboratory.",
        clinical_areas=["haematology"],
    )
    product("Unrelated rota", "Rostering for nursing staff.")
    indexed()
    body = api_search(client, q="haematolgy")
    # The misspelt word is nowhere in the index, so the correction is offered and its
    # results shown in place of nothing.
    assert body["did_you_mean"] == "haematology"
    assert titles(body) == ["BloodTrack"]


def test_correct_words_that_find_little_bring_in_no_near_misses(client, indexed):
    """Words the index knows are searched as typed, even when they find only one product:
    typo tolerance would add near-misses ("ward" finding "word") that nobody asked for."""
    product("Ward round", "Lists for the morning round.")
    product("Word finder", "Finds a word in notes.")
    product("StrokeHub Direct", "Stroke pathway coordination.")
    product("StrokeHub Go", "Stroke pathway coordination on the move.")
    indexed()
    body = api_search(client, q="ward")
    assert titles(body) == ["Ward round"]
    assert not body["did_you_mean"]
    # Both words find one product; the relaxed pass then adds those with some of the words,
    # below it.
    assert titles(api_search(client, q="StrokeHub Direct"))[0] == "StrokeHub Direct"


def test_an_everyday_word_is_not_widened_by_a_lay_term_that_shares_its_stem(client, indexed):
    """The carers' lay term once named "caring", whose stem is "care": every search with
    "care" in it was also a search for carers."""
    # Enough care home products that no relaxed pass adds matches for "home" alone.
    product("Shift Planner", "Rostering for care home staff.")
    product("Resident Notes", "Care plans for residents of a care home.")
    product("Falls Alert", "Falls sensors for care home rooms.")
    product("Carer Line", "Advice at home for unpaid carers looking after a relative.")
    indexed()
    assert set(titles(api_search(client, q="care home"))) == {
        "Shift Planner",
        "Resident Notes",
        "Falls Alert",
    }
    # The carers' lay term itself still works.
    assert titles(api_search(client, q="caring for a relative"))[0] == "Carer Line"


def test_a_supplier_name_finds_its_products_first(client, indexed):
    maker = SupplierFactory(name="Brightwater Digital Ltd")
    product("Alpha monitor", supplier=maker)
    product("Beta monitor", supplier=maker)
    product("Gamma monitor", "Works alongside systems from Brightwater.")  # named, lower
    indexed()
    found = titles(api_search(client, q="brightwater digital"))
    assert set(found[:2]) == {"Alpha monitor", "Beta monitor"}


def test_a_term_only_in_a_case_study_finds_the_product_and_the_case_study(client, indexed):
    target = product("Quiet product", "Nothing in here mentions the place.")
    product("Other product")
    CaseStudyFactory(
        title="Fewer falls in Pontefract care homes",
        summary="A care home group tried it.",
        products=[target],
    )
    indexed()
    body = api_search(client, q="pontefract")
    assert set(titles(body)) == {"Quiet product", "Fewer falls in Pontefract care homes"}
    product_result = next(r for r in body["results"] if r["kind"] == "product")
    assert "<mark>Pontefract</mark>" in product_result["snippet_html"]


def test_names_outrank_summaries_and_phrases_outrank_scattered_words(client, indexed):
    product("Frailty toolkit", "Assessment of older people.")
    product("Assessment suite", "Includes a frailty score among many others.")
    product("Ward manager", "Helps the virtual team on each hospital ward.")
    product("Bedside hub", "Runs a virtual ward for heart failure.")
    indexed()
    assert titles(api_search(client, q="frailty"))[0] == "Frailty toolkit"
    assert titles(api_search(client, q="virtual ward"))[0] == "Bedside hub"


# --- Facets ---------------------------------------------------------------------------------


@pytest.fixture
def faceted_catalogue():
    remote = Category.objects.get(slug="remote-monitoring-and-virtual-wards")
    records = Category.objects.get(slug="electronic-patient-records")
    home = CareSetting.objects.get(slug="home")
    acute = CareSetting.objects.get(slug="acute-hospital")
    primary = CareSetting.objects.get(slug="primary-care")
    leeds = OrganisationFactory(region="north_east_and_yorkshire")
    product("Monitor A", category=remote, care_settings=[home], esf_tier="C")
    b = product("Monitor B", category=remote, care_settings=[home, acute], esf_tier="B")
    product("Monitor C", category=remote, care_settings=[acute], esf_tier="C")
    product("Record D", category=records, care_settings=[acute, primary], esf_tier="A")
    product("Record E", category=records, care_settings=[primary], esf_tier="C")
    AdoptionFactory(product=b, organisation=leeds)


def test_facet_counts_under_multi_select(client, indexed, faceted_catalogue):
    indexed()
    everything = api_search(client)
    assert facet_counts(everything, "category") == {
        "remote-monitoring-and-virtual-wards": 3,
        "electronic-patient-records": 2,
    }

    # One category chosen: its own counts stay whole, the other facets narrow.
    one = api_search(client, category="remote-monitoring-and-virtual-wards")
    assert sorted(titles(one)) == ["Monitor A", "Monitor B", "Monitor C"]
    assert facet_counts(one, "category") == {
        "remote-monitoring-and-virtual-wards": 3,
        "electronic-patient-records": 2,
    }
    assert facet_counts(one, "care_setting") == {"home": 2, "acute-hospital": 2}
    assert facet_counts(one, "esf_tier") == {"B": 1, "C": 2}

    # Two values in one facet are ORed; a second facet is ANDed.
    both = api_search(
        client,
        category=["remote-monitoring-and-virtual-wards", "electronic-patient-records"],
        care_setting="acute-hospital",
    )
    assert sorted(titles(both)) == ["Monitor B", "Monitor C", "Record D"]
    assert facet_counts(both, "category") == {
        "remote-monitoring-and-virtual-wards": 2,
        "electronic-patient-records": 1,
    }
    assert facet_counts(both, "care_setting") == {"home": 2, "acute-hospital": 3, "primary-care": 2}
    assert facet_counts(both, "esf_tier") == {"A": 1, "B": 1, "C": 1}
    assert facet_counts(both, "region") == {"north_east_and_yorkshire": 1}
    assert facet_counts(both, "adoption") == {"none": 2, "1-4": 1}
    assert both["total"] == 3


def test_facet_labels_are_human(client, indexed, faceted_catalogue):
    indexed()
    body = api_search(client, category="remote-monitoring-and-virtual-wards")
    labels = {
        facet["name"]: {option["value"]: option["label"] for option in facet["options"]}
        for facet in body["facets"]
    }
    assert labels["category"]["remote-monitoring-and-virtual-wards"] == (
        "Remote monitoring and virtual wards"
    )
    assert labels["region"]["north_east_and_yorkshire"] == "North East and Yorkshire"
    assert labels["care_setting"]["acute-hospital"] == "Acute hospital"
    assert labels["adoption"]["1-4"] == "1 to 4 organisations"


def test_expired_compliance_is_not_counted_as_met(client, indexed):
    today = datetime.date.today()
    current = product("Certified now")
    lapsed = product("Certificate lapsed")
    cyber = Standard.objects.get(code="CE")
    ComplianceFactory(product=current, standard=cyber)
    ComplianceFactory(
        product=lapsed,
        standard=cyber,
        assessed_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=1),
    )
    ComplianceFactory(product=lapsed, standard=Standard.objects.get(code="DTAC"))
    indexed()

    body = api_search(client)
    assert facet_counts(body, "standard") == {"CE": 1, "DTAC": 1}
    assert titles(api_search(client, standard="CE")) == ["Certified now"]
    labels = {o["value"]: o["label"] for f in body["facets"] if f["name"] == "standard"
              for o in f["options"]}  # fmt: skip
    assert labels["CE"] == "Cyber Essentials"
    # A DTAC row alone does not pass: its sections and what they rest on are missing.
    assert titles(api_search(client, dtac="passed")) == []


# --- Only public content ----------------------------------------------------------------------


def test_unpublished_and_draft_content_is_never_returned(client, indexed):
    product("Published monitor")
    product("Never published monitor", live=False)
    withdrawn = product("Withdrawn monitor")
    withdrawn.unpublish()
    drafted = product("Careful monitor")
    drafted.title = "Secret draft monitor"
    drafted.save_revision()  # a draft of a live page: not published
    GuideFactory(title="Draft monitor guide", live=False)
    indexed()

    found = titles(api_search(client, q="monitor"))
    assert sorted(found) == ["Careful monitor", "Published monitor"]
    assert titles(api_search(client, q="secret")) == []


# --- A stable order ---------------------------------------------------------------------------


def test_equal_scores_keep_one_order_across_requests_and_pages(client, indexed):
    for number in range(45):
        product(f"Identical {number:02d}", "Exactly the same words in every one.")
    indexed()
    first = titles(api_search(client, q="exactly the same words"))
    assert first == titles(api_search(client, q="exactly the same words"))
    pages = [
        titles(api_search(client, q="exactly the same words", page=number)) for number in (1, 2, 3)
    ]
    assert pages[0] == first
    every = [title for page in pages for title in page]
    assert len(every) == 45
    assert len(set(every)) == 45  # no duplicates, nothing skipped
    # Not alphabetical and not by age: the tiebreak is a hash, fair between suppliers.
    assert every != sorted(every)


def test_sorts(client, indexed):
    today = datetime.date.today()
    old = product("Zebra monitor")
    new = product("Aardvark monitor")
    popular = product("Middle monitor")
    ComplianceFactory(product=old, assessed_on=today - datetime.timedelta(days=300))
    ComplianceFactory(product=new, assessed_on=today - datetime.timedelta(days=3))
    for _ in range(3):
        AdoptionFactory(product=popular)
    AdoptionFactory(product=old)
    indexed()
    assert titles(api_search(client, q="monitor", sort="title")) == [
        "Aardvark monitor",
        "Middle monitor",
        "Zebra monitor",
    ]
    assert titles(api_search(client, q="monitor", sort="adopted"))[:2] == [
        "Middle monitor",
        "Zebra monitor",
    ]
    assert titles(api_search(client, q="monitor", sort="assessed"))[:2] == [
        "Aardvark monitor",
        "Zebra monitor",
    ]


def test_the_kind_filter_and_its_counts(client, indexed):
    ward = product("Ward monitor")
    CaseStudyFactory(title="A ward in Hull", products=[ward])
    GuideFactory(title="Running a ward well")
    indexed()
    body = api_search(client, q="ward", kind="case_study")
    assert titles(body) == ["A ward in Hull"]
    assert facet_counts(body, "kind") == {"product": 1, "case_study": 1, "guide": 1}
    both = api_search(client, q="ward", kind=["product", "guide"])
    assert sorted(titles(both)) == ["Running a ward well", "Ward monitor"]
