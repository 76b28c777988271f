"""Benchmark keeping the index true: rebuild throughput and memory, publish-to-searchable.

    .venv/bin/python bench/search_index.py [--products 100000] [--publish 50]

Runs on PostgreSQL and Elasticsearch (`make services` starts both). Uses its own database
(created if missing) and index prefix, so it never touches development or test data:

1. Migrates the bench database and, if it holds fewer than N products, seeds the rest with
   `manage.py seed_demo --products ... --seed 1`.
2. Rebuild: `search.indexing.rebuild("product")` in a fresh process, which reports
   products/s and its peak RSS (`resource.getrusage`), next to its RSS before the rebuild;
   then, as the baseline in the same run, the same documents built from the database and
   not sent, and the ratio of the two rates (how much of the rebuild is Elasticsearch's).
3. Publish-to-searchable: starts `manage.py search_worker`, then publishes K products one
   by one through Wagtail (`save_revision().publish()`), each with a new word in its title,
   and polls the alias until a search for that word finds it. Prints p50/p95/max of the
   delay from the end of the publish to the first search that finds it.

Targets (issue 3): rebuild at least 2,000 products/s; publish-to-searchable p95 at most 2 s.
"""

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import time

import benchkit
from benchkit import (
    PYTHON,
    ROOT,
    ensure_database,
    last_json,
    manage,
    percentile,
    product_count,
    rss_mb,
    seeding_parser,
    setup_django,
)

DEFAULT_DATABASE_URL = "postgres://registry:registry@127.0.0.1:55432/registry_bench_index"
DEFAULT_ELASTICSEARCH_URL = "http://127.0.0.1:59200"
TARGET_REBUILD_RATE = 2000
TARGET_PUBLISH_P95 = 2.0


def parse_args():
    parser = seeding_parser(__doc__, os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument(
        "--publish", type=int, default=50, help="K publishes (default 50; 0 skips it)"
    )
    parser.add_argument(
        "--elasticsearch-url",
        default=os.environ.get("ELASTICSEARCH_URL") or DEFAULT_ELASTICSEARCH_URL,
    )
    parser.add_argument("--prefix", default="registry-bench-indexing")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument(
        "--keep-indices",
        action="store_true",
        help="Keep the bench indices afterwards (by default they are deleted: the node is "
        "shared and small).",
    )
    parser.add_argument("--measure-rebuild", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def environment(args):
    return benchkit.environment(
        args.database_url, args.elasticsearch_url, SEARCH_INDEX_PREFIX=args.prefix
    )


def measure_rebuild():
    """Run in a fresh process, so the peak RSS is the rebuild's own."""
    from search.building import build_sources
    from search.indexing import rebuild

    before = rss_mb()
    started = time.perf_counter()
    name, count = rebuild("product")
    elapsed = time.perf_counter() - started
    peak = rss_mb()
    # The baseline: the same documents built from the database and thrown away, so the
    # rebuild's rate reads against what the Python side alone can do.
    started = time.perf_counter()
    built = sum(1 for _ in build_sources("product"))
    build_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "index": name,
                "count": count,
                "seconds": elapsed,
                "rss_before_mb": before,
                "peak_rss_mb": peak,
                "built": built,
                "build_seconds": build_seconds,
            }
        )
    )


def publish_to_searchable(args, env):
    from registry.models import ProductPage
    from search import queue
    from search.client import get_client
    from search.documents import alias_name

    client = get_client()
    alias = alias_name("product")
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "search_worker", "--sleep", "1"], cwd=ROOT, env=env
    )
    try:
        # The worker builds missing indices on start; wait until it is idle.
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if client.indices.exists_alias(name=alias) and not queue.stats().depth:
                break
            time.sleep(0.5)
        rng = random.Random(args.seed)
        ids = list(ProductPage.objects.live().values_list("pk", flat=True))
        run = f"{int(time.time()) % 100000:05d}"
        delays, publish_times = [], []
        for number, pk in enumerate(rng.sample(ids, args.publish)):
            word = f"zqbench{run}n{number}"
            page = ProductPage.objects.get(pk=pk)
            page.title = f"{page.title.split(' zqbench')[0]} {word}"
            started = time.perf_counter()
            page.save_revision().publish()
            published = time.perf_counter()
            publish_times.append(published - started)
            while True:
                hits = client.search(index=alias, query={"match": {"title": word}}, size=0)
                if hits["hits"]["total"]["value"]:
                    break
                if time.perf_counter() - published > 60:
                    raise SystemExit(f"Product {pk} was not searchable after 60 s.")
                time.sleep(0.01)
            delays.append(time.perf_counter() - published)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    return delays, publish_times


def delete_indices(prefix):
    from search.client import get_client

    client = get_client()
    names = list(client.indices.get(index=f"{prefix}-*", expand_wildcards="all"))
    if names:
        client.indices.delete(index=",".join(names), ignore_unavailable=True)


def main():
    args = parse_args()
    env = environment(args)
    if args.measure_rebuild:
        setup_django(env)
        return measure_rebuild()

    ensure_database(args.database_url)
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "createcachetable")  # the shared cache seed_demo's insight refresh writes to
    existing = product_count(env)
    if existing < args.products:
        manage(
            env,
            "seed_demo",
            "--products",
            str(args.products - existing),
            "--seed",
            str(args.seed),
            "--no-search-index",
        )
    products = product_count(env)
    print(f"Database: {products:,} products ({args.database_url.rsplit('/', 1)[1]})")

    if not args.skip_rebuild:
        result = last_json(
            env,
            __file__,
            "--measure-rebuild",
            "--database-url",
            args.database_url,
            "--elasticsearch-url",
            args.elasticsearch_url,
            "--prefix",
            args.prefix,
        )
        rate = result["count"] / result["seconds"]
        print(
            f"Rebuild: {result['count']:,} products in {result['seconds']:.1f}s = "
            f"{rate:,.0f} products/s (target >= {TARGET_REBUILD_RATE:,}: "
            f"{'met' if rate >= TARGET_REBUILD_RATE else 'NOT met'}); peak RSS "
            f"{result['peak_rss_mb']:,.0f} MB (before the rebuild: "
            f"{result['rss_before_mb']:,.0f} MB)"
        )
        build_rate = result["built"] / result["build_seconds"]
        print(
            f"Baseline, documents built and not sent: {result['built']:,} in "
            f"{result['build_seconds']:.1f}s = {build_rate:,.0f} products/s; the rebuild runs at "
            f"{rate / build_rate:.2f}x of it (load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} CPUs)"
        )

    setup_django(env)
    if args.publish < 1:
        if not args.keep_indices:
            delete_indices(args.prefix)
        print("Publish to searchable: not measured (--publish 0)")
        return
    try:
        delays, publish_times = publish_to_searchable(args, env)
    finally:
        if not args.keep_indices:
            delete_indices(args.prefix)
    p95 = percentile(delays, 0.95)
    print(
        f"Publish to searchable ({len(delays)} publishes, worker running): "
        f"p50 {statistics.median(delays) * 1000:,.0f} ms, p95 {p95 * 1000:,.0f} ms, "
        f"max {max(delays) * 1000:,.0f} ms (target p95 <= {TARGET_PUBLISH_P95:.0f} s: "
        f"{'met' if p95 <= TARGET_PUBLISH_P95 else 'NOT met'}); the publish itself: "
        f"p50 {statistics.median(publish_times) * 1000:,.0f} ms"
    )


if __name__ == "__main__":
    main()
