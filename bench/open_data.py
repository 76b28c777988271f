"""Benchmark publishing open data: time and peak memory for N products.

    .venv/bin/python bench/open_data.py [--products 100000] [--database-url URL]

Uses its own database (created if missing; reg_open_data_bench by default), so it never
touches development or test data:

1. Migrates the bench database (and creates the cache table) and, if it holds fewer than
   N products, seeds the rest with `manage.py seed_demo --products ... --seed 1`.
2. Publishes in a fresh process (`api.opendata.publish` into a temporary directory), which
   reports the wall time, its resident memory before, and its peak RSS
   (`resource.getrusage`), with the zip's size and the rows in each table.

Targets (issue 16): 100,000 products in at most 2 minutes, peak RSS at most 500 MB.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time

from benchkit import (
    ROOT,
    ensure_database,
    environment,
    last_json,
    manage,
    product_count,
    rss_mb,
    seeding_parser,
)

DEFAULT_DATABASE_URL = "postgres://registry:registry@127.0.0.1:55432/reg_open_data_bench"
TARGET_SECONDS = 120
TARGET_PEAK_RSS_MB = 500


def parse_args():
    parser = seeding_parser(__doc__, DEFAULT_DATABASE_URL)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def measure():
    """Run in a fresh process, so the peak RSS is the publication's own."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from api import opendata

    before = rss_mb()
    start_usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = start_usage.ru_utime + start_usage.ru_stime
    with tempfile.TemporaryDirectory(prefix="open-data-bench-") as destination:
        started = time.perf_counter()
        publication = opendata.publish(destination=destination, keep=1)
        seconds = time.perf_counter() - started
        size = publication.size
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu_before,
                "rss_before_mb": before,
                "peak_rss_mb": rss_mb(),
                "zip_bytes": size,
                "rows": publication.counts,
            }
        )
    )


def main():
    args = parse_args()
    env = environment(args.database_url)
    if args.measure:
        os.environ.update(env)
        measure()
        return
    ensure_database(args.database_url)
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "createcachetable")  # the shared cache (Wagtail's site roots are read from it)
    have = product_count(env)
    if have < args.products:
        print(f"Seeding {args.products - have:,} products (the database has {have:,})...")
        manage(env, "seed_demo", "--products", str(args.products - have), "--seed", str(args.seed))
    products = product_count(env)
    result = last_json(env, __file__, "--measure", "--database-url", args.database_url)
    rows = ", ".join(f"{count:,} {name}" for name, count in result["rows"].items())
    print(f"Products in the database: {products:,}")
    print(
        f"Published in {result['seconds']:.1f} s ({products / result['seconds']:,.0f} products/s)"
    )
    print(
        f"CPU time of the publishing process {result['cpu_seconds']:.1f} s "
        f"({result['cpu_seconds'] / products * 1000:.2f} ms a product); on a loaded machine "
        "the wall time is this stretched by the share of a core the process got"
    )
    print(
        f"Peak RSS {result['peak_rss_mb']:.0f} MB "
        f"(before publishing {result['rss_before_mb']:.0f} MB)"
    )
    print(f"Zip {result['zip_bytes'] / 1e6:.1f} MB: {rows}")
    print(
        f"Load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    ok = result["seconds"] <= TARGET_SECONDS and result["peak_rss_mb"] <= TARGET_PEAK_RSS_MB
    print(
        f"Targets: at most {TARGET_SECONDS} s and {TARGET_PEAK_RSS_MB} MB: "
        + ("met" if ok else "NOT met")
    )


if __name__ == "__main__":
    main()
