#!/usr/bin/env python
"""Time every insight panel on a large database: how long working out its figures takes
(`refresh_insight`, daily) and how long the scaling team waits for the panel page (p50, p95).

    export DATABASE_URL=postgres://...      # a database of your own: the bench adds rows
    .venv/bin/python manage.py seed_demo --products 100000    # or bench/seed.py
    .venv/bin/python bench/insight.py --adoptions 300000 --searches 1000000 --runs 30

It tops the database up to the given numbers of confirmed adoptions (random organisations,
products and dates over six years, uneven by region) and logged searches (a long tail of
words, a fifth finding nothing), refreshes every panel, then requests each panel page
--runs times as a superuser and prints per-panel p50 and p95 in milliseconds.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BATCH = 10_000


def setup_django():
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a database of your own: the bench adds rows to it.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if os.environ["DJANGO_SETTINGS_MODULE"].endswith("production"):
        sys.exit("Refusing to run against production settings.")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("createcachetable")  # the site's shared cache, as `make migrate` makes it


def top_up_organisations(rng, wanted):
    from registry.choices import OrganisationKind, Region
    from registry.models import Organisation

    have = Organisation.objects.exclude(kind=OrganisationKind.SUPPLIER).count()
    regions = [r.value for r in Region]
    weights = [3, 5, 4, 3, 2, 1, 1]  # uneven on purpose
    kinds = [OrganisationKind.NHS_TRUST, OrganisationKind.ICB, OrganisationKind.GP_PRACTICE]
    new = [
        Organisation(
            name=f"Bench organisation {have + i}",
            kind=rng.choice(kinds),
            region=rng.choices(regions, weights)[0],
            ods_code=f"B{have + i:07d}",
        )
        for i in range(max(0, wanted - have))
    ]
    Organisation.objects.bulk_create(new, batch_size=BATCH)
    return list(
        Organisation.objects.exclude(kind=OrganisationKind.SUPPLIER).values_list("pk", flat=True)
    )


def top_up_adoptions(rng, wanted):
    from registry.models import Adoption, ProductPage

    have = Adoption.objects.count()
    if have >= wanted:
        return have
    organisations = top_up_organisations(rng, max(2000, wanted // 30))
    products = list(ProductPage.objects.live().values_list("pk", flat=True))
    if not products:
        sys.exit("No live products: run `manage.py seed_demo --products N` first.")
    popular = products[: max(1, len(products) // 50)]
    seen = set(Adoption.objects.values_list("product", "organisation"))
    start = datetime.date.today() - datetime.timedelta(days=6 * 365)
    batch = []
    while have < wanted:
        product = rng.choice(popular) if rng.random() < 0.3 else rng.choice(products)
        organisation = rng.choice(organisations)
        if (product, organisation) in seen:
            continue
        seen.add((product, organisation))
        since = start + datetime.timedelta(days=int(6 * 365 * rng.random() ** 0.6))
        batch.append(
            Adoption(
                product_id=product,
                organisation_id=organisation,
                since=since,
                scale="trust_wide",
                confirmed=rng.random() < 0.95,
                sort_order=0,
            )
        )
        have += 1
        if len(batch) == BATCH:
            Adoption.objects.bulk_create(batch)
            batch = []
            print(f"  adoptions: {have:,} of {wanted:,}", end="\r", flush=True)
    Adoption.objects.bulk_create(batch)
    print()
    return have


def top_up_searches(rng, wanted):
    """Logged searches in bulk: PostgreSQL's COPY (a million rows in well under a minute),
    or bulk_create elsewhere."""
    from django.db import connection
    from django.utils import timezone

    from search.models import SearchQueryLog

    have = SearchQueryLog.objects.count()
    words = [f"term{i}" for i in range(20_000)]
    now = timezone.now()

    def rows(count):
        for _ in range(count):
            query = " ".join(
                rng.choices(words[: rng.choice([50, 500, 20_000])], k=rng.randint(1, 3))
            )
            yield (
                now - datetime.timedelta(minutes=rng.randint(0, 120 * 24 * 60)),
                query,
                0 if rng.random() < 0.2 else rng.randint(1, 60),
                rng.randint(5, 200),
                "elasticsearch",
                "page",
            )

    fields = ["created_at", "query", "result_count", "latency_ms", "engine", "channel"]
    while have < wanted:
        count = min(BATCH * 10, wanted - have)
        if connection.vendor == "postgresql":
            table = SearchQueryLog._meta.db_table
            with connection.cursor() as cursor:
                copy_sql = f"COPY {table} ({', '.join(fields)}, filters) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in rows(count):
                        copy.write_row((*row, "{}"))
        else:
            SearchQueryLog.objects.bulk_create(
                [SearchQueryLog(**dict(zip(fields, row, strict=True))) for row in rows(count)],
                batch_size=BATCH,
            )
        have += count
        print(f"  searches: {have:,} of {wanted:,}", end="\r", flush=True)
    print()
    return have


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--adoptions", type=int, default=300_000)
    parser.add_argument("--searches", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from insight.panels import PANELS
    from insight.snapshots import refresh
    from registry.models import ProductPage

    rng = random.Random(args.seed)
    products = ProductPage.objects.live().count()
    adoptions = top_up_adoptions(rng, args.adoptions)
    searches = top_up_searches(rng, args.searches)
    print(f"live products {products:,}; adoptions {adoptions:,}; logged searches {searches:,}")

    print("\nworking out the figures (refresh_insight):")
    for panel in PANELS:
        print(f"  {panel:22} {refresh(panel).took_ms:>8,} ms")

    user, _ = get_user_model().objects.get_or_create(
        username="bench-insight", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    print(f"\npanel pages, {args.runs} requests each (ms):")
    print(f"  {'panel':22} {'p50':>8} {'p95':>8}")
    for panel in ["", *PANELS]:
        address = f"/admin/insight/{panel}/" if panel else "/admin/insight/"
        timings = []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            response = client.get(address, HTTP_HOST="localhost")
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"{address} answered {response.status_code}")
        timings = sorted(timings[1:])  # the first request warms caches
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        print(f"  {panel or '(all panels)':22} {statistics.median(timings):8.0f} {p95:8.0f}")


if __name__ == "__main__":
    main()
