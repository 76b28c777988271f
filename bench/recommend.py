#!/usr/bin/env python
"""Evaluate "organisations like yours" (insight/peers.py) offline on the adoptions in the
database in DATABASE_URL (seed it first with `manage.py seed_demo`).

    .venv/bin/python bench/recommend.py --k 10 --sample 2000

Each organisation with two or more confirmed adoptions has its most recent one (latest
`since`) hidden; the recommender suggests from the rest, and so does the baseline (the most
adopted products it does not use). Prints recall@k for both and how many organisations were
evaluated.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument(
        "--sample", type=int, default=2000, help="Evaluate at most this many organisations."
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--neighbours",
        type=int,
        help="How many of the most similar organisations count (default: peers.NEIGHBOURS).",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from insight.peers import Profile, recall_at_k
    from registry.models import Adoption, Organisation

    started = time.perf_counter()
    used_in_order = {}
    for org, product in (
        Adoption.objects.filter(confirmed=True, since__isnull=False)
        .order_by("organisation", "since", "pk")
        .values_list("organisation", "product")
        .iterator(chunk_size=20000)
    ):
        used_in_order.setdefault(org, []).append(product)
    profiles = {
        pk: Profile(kind, region, size_band)
        for pk, kind, region, size_band in Organisation.objects.values_list(
            "pk", "kind", "region", "size_band"
        )
    }
    eligible = [org for org, products in used_in_order.items() if len(products) >= 2]
    chosen = set(random.Random(args.seed).sample(eligible, min(args.sample, len(eligible))))
    recall, baseline, evaluated = recall_at_k(
        used_in_order, profiles, args.k, only=chosen, neighbours=args.neighbours
    )
    print(f"organisations with 2+ dated adoptions: {len(eligible)}; evaluated: {evaluated}")
    print(f"recall@{args.k} organisations like yours: {recall:.3f}")
    print(f"recall@{args.k} most adopted baseline:   {baseline:.3f}")
    print(f"took {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
