"""Organisations like yours: the suggestions, their reasons, and the offline evaluation that
must beat suggesting the most adopted products."""

import datetime
import random

import pytest

from insight.peers import Profile, most_adopted, recall_at_k, suggest
from registry.choices import OrganisationKind, Region, SizeBand

from ..registry.factories import AdoptionFactory, OrganisationFactory, ProductFactory
from .test_panels import pass_dtac

#: recall@10 the recommender must reach on the fixture below; the baseline scores far less.
RECALL_FLOOR = 0.6


def clustered_fixture(seed=7):
    """Organisations in kind, region and size band groups, each group favouring its own few
    products, plus products everyone uses: popularity alone cannot tell the groups apart,
    and neither can kind and region without the size band."""
    rng = random.Random(seed)
    kinds = ["nhs_trust", "icb", "gp_practice"]
    regions = ["london", "north_west", "south_west", "midlands"]
    sizes = ["small", "large"]
    profiles, used = {}, {}
    popular = [1, 2, 3, 4, 5, 6, 7, 8]
    org = 0
    groups = [(k, r, s) for k in kinds for r in regions for s in sizes]
    for g, (kind, region, size_band) in enumerate(groups):
        favourites = [100 + 10 * g + i for i in range(6)]
        for _ in range(12):
            org += 1
            profiles[org] = Profile(kind, region, size_band)
            products = rng.sample(popular, 3) + rng.sample(favourites, 3)
            rng.shuffle(products)
            # The most recent adoption (the last) is one of the group's favourites.
            products.sort(key=lambda p: p in favourites)
            used[org] = products
    return used, profiles


def test_recall_at_10_beats_the_most_adopted_baseline():
    used, profiles = clustered_fixture()
    recall, baseline, evaluated = recall_at_k(used, profiles, k=10)
    assert evaluated == 288
    assert recall >= RECALL_FLOOR > baseline, (recall, baseline)


def test_the_size_band_finds_better_peers():
    used, profiles = clustered_fixture()
    without_size = {org: Profile(p.kind, p.region) for org, p in profiles.items()}
    recall, _, _ = recall_at_k(used, profiles, k=10)
    recall_without_size, _, _ = recall_at_k(used, without_size, k=10)
    assert recall > recall_without_size + 0.1, (recall, recall_without_size)


def test_a_size_band_counts_only_within_a_kind():
    small_trust = Profile("nhs_trust", "london", "small")
    assert small_trust.same_size(Profile("nhs_trust", "", "small"))
    assert not small_trust.same_size(Profile("gp_practice", "london", "small"))
    assert not small_trust.same_size(Profile("nhs_trust", "london", "large"))
    assert not Profile("nhs_trust", "london").same_size(Profile("nhs_trust", "london"))


def test_suggest_explains_and_skips_what_is_used():
    profiles = {1: Profile("icb", "london"), 2: Profile("icb", "london"), 3: Profile("gp", "")}
    used = {1: {10}, 2: {10, 20}, 3: {30}}
    (first,) = suggest(1, used, profiles)  # 3 shares nothing: kind, region nor products
    assert first.product_id == 20 and first.peers == 1
    assert (first.same_kind, first.same_region, first.shared_example) == (1, 1, 10)
    assert first.same_size == 0  # no size band known
    assert most_adopted(1, used) == [20, 30]
    assert suggest(1, used, profiles, candidates={30}) == []


@pytest.mark.django_db
def test_an_organisation_page_suggests_proven_products_with_reasons(client):
    me = OrganisationFactory(
        region=Region.LONDON, kind=OrganisationKind.NHS_TRUST, size_band=SizeBand.LARGE
    )
    peer = OrganisationFactory(
        region=Region.LONDON, kind=OrganisationKind.NHS_TRUST, size_band=SizeBand.LARGE
    )
    shared, proven, unproven = ProductFactory(title="Shared"), ProductFactory(), ProductFactory()
    pass_dtac(proven)
    since = datetime.date(2024, 1, 1)
    for organisation, product in [(me, shared), (peer, shared), (peer, proven), (peer, unproven)]:
        AdoptionFactory(organisation=organisation, product=product, since=since)

    page = client.get(me.get_absolute_url()).content.decode()

    section = page.split('id="like-yours"')[1].split("</section>")[0]
    assert proven.title in section and unproven.title not in section
    reason = (
        "Used by 1 organisation like this one: 1 of the same kind; "
        "1 of the same kind and size (large); 1 in London; "
        "some also use Shared, as this organisation does."
    )
    assert reason in section
    assert "Large (over 10,000 staff)" in page
