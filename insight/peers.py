"""Organisations like yours: products that organisations similar to this one have adopted
and it has not, each with the reason it is suggested.

Similarity between two NHS or care organisations is what a digital lead would weigh: how much
of what they already use overlaps (Jaccard overlap of their confirmed adoptions), whether they
are the same kind (trust, ICB, GP practice...), of the same kind and size band (a band means
something only within a kind: staff for trusts, list size for practices,
registry.choices.SIZE_MEASURES) and in the same NHS England region. A product's score is the
sum of the similarities of the organisations that use it.

`suggest` and `recall_at_k` are pure (no I/O): bench/recommend.py and the tests evaluate them
on any adoption data by hiding each organisation's most recent adoption, against the plain
baseline of suggesting the most adopted products.
"""

from collections import Counter
from dataclasses import dataclass

OVERLAP_WEIGHT = 3.0
SAME_KIND_WEIGHT = 1.0
SAME_REGION_WEIGHT = 1.0
SAME_SIZE_WEIGHT = 1.0  # on top of the same kind, when both bands are known
SUGGESTIONS = 5
NEIGHBOURS = 50


@dataclass(frozen=True)
class Profile:
    kind: str
    region: str
    size_band: str = ""

    def same_size(self, other):
        return bool(self.size_band) and (self.kind, self.size_band) == (
            other.kind,
            other.size_band,
        )


@dataclass(frozen=True)
class Suggestion:
    product_id: int
    score: float
    peers: int
    same_kind: int
    same_region: int
    same_size: int
    shared_example: int | None  # a product the target uses that the peers use too


def similarity(mine, theirs, my_profile, their_profile):
    union = len(mine | theirs)
    overlap = len(mine & theirs) / union if union else 0.0
    score = OVERLAP_WEIGHT * overlap
    if my_profile.kind == their_profile.kind:
        score += SAME_KIND_WEIGHT
    if my_profile.same_size(their_profile):
        score += SAME_SIZE_WEIGHT
    if my_profile.region and my_profile.region == their_profile.region:
        score += SAME_REGION_WEIGHT
    return score


def suggest(target, used, profiles, candidates=None, limit=10, neighbours=None):
    """Products for `target` ranked by the similarity of the organisations using them.

    used: {organisation id: set of product ids}; profiles: {organisation id: Profile};
    candidates: the product ids that may be suggested (None: any); neighbours: how many of
    the most similar organisations count (None: NEIGHBOURS)."""
    neighbours = NEIGHBOURS if neighbours is None else neighbours
    mine = used.get(target, set())
    my_profile = profiles[target]
    scores, peers, same_kind, same_region = Counter(), Counter(), Counter(), Counter()
    same_size = Counter()
    shared = {}
    weighted = []
    for other, theirs in used.items():
        if other == target:
            continue
        new = theirs - mine
        if candidates is not None:
            new &= candidates
        if not new:
            continue
        weight = similarity(mine, theirs, my_profile, profiles[other])
        if weight > 0:
            weighted.append((weight, other, new))
    # Only the nearest peers speak: many loosely similar organisations would otherwise
    # outvote the few that are most like this one.
    weighted.sort(key=lambda item: (-item[0], item[1]))
    for weight, other, new in weighted[:neighbours]:
        theirs = used[other]
        common = mine & theirs
        for product in new:
            scores[product] += weight
            peers[product] += 1
            if profiles[other].kind == my_profile.kind:
                same_kind[product] += 1
            if my_profile.same_size(profiles[other]):
                same_size[product] += 1
            if my_profile.region and profiles[other].region == my_profile.region:
                same_region[product] += 1
            if common and product not in shared:
                shared[product] = min(common)
    ranked = sorted(scores, key=lambda product: (-scores[product], product))[:limit]
    return [
        Suggestion(
            product_id=product,
            score=round(scores[product], 3),
            peers=peers[product],
            same_kind=same_kind[product],
            same_region=same_region[product],
            same_size=same_size[product],
            shared_example=shared.get(product),
        )
        for product in ranked
    ]


def most_adopted(target, used, candidates=None, limit=10, counts=None):
    """The baseline: the most adopted products the target does not use (`counts`: adopters
    per product, when the caller keeps them)."""
    if counts is None:
        counts = Counter(product for products in used.values() for product in products)
    mine = used.get(target, set())
    ranked = sorted(
        (p for p in counts if p not in mine and (candidates is None or p in candidates)),
        key=lambda p: (-counts[p], p),
    )
    return ranked[:limit]


def recall_at_k(used_in_order, profiles, k=10, only=None, neighbours=None):
    """Hide each organisation's most recent adoption (the last in its list), suggest from
    the rest, and count how often the hidden product is in the top k. Organisations with
    fewer than two adoptions, or not in `only` when given, are not evaluated (their
    adoptions still count as evidence). Returns (recall of suggest, recall of baseline,
    organisations evaluated)."""
    used = {org: set(products) for org, products in used_in_order.items()}
    counts = Counter(product for products in used.values() for product in products)
    hits = baseline_hits = evaluated = 0
    for org, products in used_in_order.items():
        if len(products) < 2 or (only is not None and org not in only):
            continue
        hidden = products[-1]
        used[org] = set(products[:-1])
        counts[hidden] -= hidden not in used[org]
        evaluated += 1
        found = suggest(org, used, profiles, limit=k, neighbours=neighbours)
        if hidden in {s.product_id for s in found}:
            hits += 1
        if hidden in most_adopted(org, used, limit=k, counts=counts):
            baseline_hits += 1
        counts[hidden] += hidden not in used[org]
        used[org] = set(products)
    if not evaluated:
        return 0.0, 0.0, 0
    return hits / evaluated, baseline_hits / evaluated, evaluated


# --- From the database ----------------------------------------------------------------------


def suggestions_for(organisation, limit=SUGGESTIONS):
    """Proven, live products that organisations like this one use and it does not, with the
    products and the reason, for its public page. [] for suppliers."""
    import datetime

    from registry.models import Adoption, Organisation, ProductPage

    from .panels import proven_product_ids

    if organisation.is_supplier:
        return []
    confirmed = Adoption.objects.filter(confirmed=True)
    mine = set(confirmed.filter(organisation=organisation).values_list("product", flat=True))
    # Peers worth scoring: those sharing a product with it, or of its kind in its region.
    peer_ids = set(confirmed.filter(product__in=mine).values_list("organisation", flat=True)) | set(
        Organisation.objects.filter(kind=organisation.kind, region=organisation.region)
        .exclude(pk=organisation.pk)
        .values_list("pk", flat=True)[:2000]
    )
    used = {organisation.pk: mine}
    for org_id, product_id in confirmed.filter(organisation__in=peer_ids).values_list(
        "organisation", "product"
    ):
        used.setdefault(org_id, set()).add(product_id)
    profiles = {
        pk: Profile(kind, region, size_band)
        for pk, kind, region, size_band in Organisation.objects.filter(
            pk__in=[*used, organisation.pk]
        ).values_list("pk", "kind", "region", "size_band")
    }
    candidates = proven_product_ids(datetime.date.today())
    found = suggest(organisation.pk, used, profiles, candidates=candidates, limit=limit)
    products = ProductPage.objects.live().public().select_related("supplier", "category")
    by_pk = {
        p.pk: p
        for p in products.filter(
            pk__in=[s.product_id for s in found]
            + [s.shared_example for s in found if s.shared_example]
        )
    }
    return [
        {"product": by_pk[s.product_id], "reason": _reason(s, organisation, by_pk)}
        for s in found
        if s.product_id in by_pk
    ]


def _reason(suggestion, organisation, products):
    parts = [
        f"Used by {suggestion.peers} organisation{'s' if suggestion.peers != 1 else ''} "
        "like this one"
    ]
    details = []
    if suggestion.same_kind:
        details.append(f"{suggestion.same_kind} of the same kind")
    if suggestion.same_size:
        size = organisation.get_size_band_display().lower()
        details.append(f"{suggestion.same_size} of the same kind and size ({size})")
    if suggestion.same_region and organisation.region:
        details.append(f"{suggestion.same_region} in {organisation.get_region_display()}")
    shared = products.get(suggestion.shared_example)
    if shared is not None:
        details.append(f"some also use {shared.title}, as this organisation does")
    if details:
        parts.append(": " + "; ".join(details))
    return "".join(parts) + "."
