"""seed_demo's catalogue passes every proof rule (docs/proof-rules.md) straight after seeding,
at several seeds and sizes: the consistency report is empty, each product's DTAC state agrees
with its own DTAC row, and the only expired rows are the deliberate lapses, each noted on its
row (docs/demo-data.md)."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import ProductCompliance
from demo.vocabulary import LAPSE_NOTE
from proof import loading, rules
from proof.report import report_rows
from registry.models import ProductPage

pytestmark = pytest.mark.django_db

CASES = [(12, 1), (30, 7), (60, 23)]


def seed_demo(products, seed):
    call_command(
        "seed_demo", products=products, seed=seed, verbosity=0, stdout=StringIO(), stderr=StringIO()
    )


@pytest.mark.parametrize(("products", "seed"), CASES)
def test_every_seeded_listing_passes_the_proof_rules(products, seed):
    seed_demo(products, seed)
    day = loading.today()

    assert report_rows(day) == []
    pages = list(ProductPage.objects.live().select_related("supplier", "category"))
    assert len(pages) == products
    listings = loading.listings(pages)
    for page in pages:
        assert rules.breaches(listings[page.pk], day) == (), page.title


@pytest.mark.parametrize(("products", "seed"), CASES)
def test_dtac_states_agree_with_their_rows_and_only_documented_rows_lapse(products, seed):
    seed_demo(products, seed)
    day = loading.today()
    pages = list(ProductPage.objects.all())
    rows = loading.compliance_rows([page.pk for page in pages])
    notes = {
        (product_id, code): note
        for product_id, code, note in ProductCompliance.objects.values_list(
            "product_id", "standard__code", "notes"
        )
    }

    states = Counter()
    lapsed_listings = 0
    for page in pages:
        product_rows = rows[page.pk]
        by_code = {row.standard.code: row for row in product_rows}
        dtac = rules.dtac(product_rows, day)
        states[dtac.state] += 1
        expired = [row for row in product_rows if rules.is_expired_on(row, day)]
        assert [notes[page.pk, row.standard.code] for row in expired] == [LAPSE_NOTE] * len(
            expired
        ), page.title
        assert len(expired) <= 1
        lapsed_listings += bool(expired)
        if dtac.lapsed:
            assert expired and expired[0].standard.code in dtac.reason
        # The DTAC row an assessor recorded and the state the rules derive never disagree:
        # "met" reads passed (or lapsed, for a deliberate lapse); anything else, not passed.
        if by_code["DTAC"].status == rules.MET:
            assert dtac.state in (rules.DtacState.PASSED, rules.DtacState.LAPSED), dtac.reason
        else:
            assert dtac.state == rules.DtacState.NOT_PASSED
        assert rules.is_met_on(by_code["DSPT"], day)

    assert states[rules.DtacState.PASSED] > products / 2
    assert 1 <= lapsed_listings <= max(2, products // 10)
