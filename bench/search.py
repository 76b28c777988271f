"""Benchmark the search page end to end: Elasticsearch against the database fallback.

    .venv/bin/python bench/search.py [--products 100000] [--queries 240] [--concurrency 1,8]
        [--db-queries 50] [--rebuild] [--skip-db]

Runs on PostgreSQL and Elasticsearch (`make services` starts both), against the database in
--database-url, already seeded (bench/search_index.py seeds one), and the indices under
--index-prefix (`--rebuild` runs `manage.py search_index rebuild` first).

1. Builds a fixed, deterministic mix of queries: acronyms buyers use (EPR, A&E, MSK, CBT,
   COPD, DNA...), misspellings, supplier and product names from the database (first by
   id), plain terms; a fraction with facet filters (category, care setting, ESF tier,
   standards met, DTAC, region...) and sorts, and a few filter-only searches.
2. Starts two servers on 127.0.0.1, each as production runs it (gunicorn, a worker per
   CPU with 4 threads each, DEBUG off; `--server django` uses Django's threaded development
   server instead), one with Elasticsearch and one with ELASTICSEARCH_URL empty (the
   database fallback), on the same database, and checks each answers from the engine it
   should.
3. After warm-up requests, GETs /search/?q=... for every query of the mix, at each
   concurrency (a thread pool, one connection per request), and prints p50/p95/p99 per
   engine, and the ratio database p95 / Elasticsearch p95.
4. Runs the same searches in this process through `search.engine.elasticsearch_search`,
   recording the `took` of every Elasticsearch request a search makes (a search with few
   hits also asks for a did-you-mean and makes a second pass), and prints the page's
   overhead: page p50/p95 minus took p50/p95.

Targets: search page p95 at most 65 ms at concurrency 1 on 100,000 products (issue 14;
earlier 100 ms, issue 3); at least 10x faster
than the database fallback at p95. Nothing is asserted: it prints figures and targets.
"""

import argparse
import concurrent.futures
import http.client
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# Run as `python bench/search.py`, this file's folder comes first on sys.path and its name
# would hide the `search` package: look in the project instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))


def _bench_module(name, filename):
    spec = importlib.util.spec_from_file_location(name, HERE / filename)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


benchkit = _bench_module("benchkit", "benchkit.py")
bench_index = _bench_module("bench_search_index", "search_index.py")
free_port, percentile, stop_server = benchkit.free_port, benchkit.percentile, benchkit.stop_server

PYTHON = sys.executable
HOST = "127.0.0.1"
TARGET_PAGE_P95_MS = 65
TARGET_SPEEDUP = 10
DEGRADED_MARKER = "Search is simplified right now"  # search.results.DEGRADED_HEADING
REQUEST_TIMEOUT = 120

# Words buyers type: acronyms, plain terms, and misspellings of both.
ACRONYMS = [
    "EPR",
    "A&E",
    "MSK",
    "CBT",
    "COPD",
    "DNA",
    "GP",
    "AF",
    "ePMA",
    "PACS",
    "FHIR",
    "DTAC",
    "NEWS2",
    "IAPT",
    "UTC",
    "ED",
]
PLAIN = [
    "diabetes",
    "remote monitoring",
    "virtual ward",
    "mental health",
    "physiotherapy",
    "appointment booking",
    "electronic patient record",
    "e-prescribing",
    "patient portal",
    "dementia",
    "asthma",
    "heart failure",
    "stroke",
    "maternity",
    "cancer",
    "sleep",
    "falls prevention",
    "medicines management",
    "waiting list",
    "clinical decision support",
    "video consultation",
    "triage",
    "wound care",
    "anxiety app",
    "care home",
    "hospital at home",
    "digital therapeutics",
    "imaging",
    "back pain",
    "missed appointments",
]
MISSPELLINGS = [
    "diabetis",
    "asthama",
    "pyhsiotherapy",
    "demensia",
    "remote monitering",
    "electonic patient record",
    "mental helth",
    "apointment booking",
    "cardiollogy",
    "prescibing",
    "virtual wrad",
    "matenity",
    "stroak",
    "anxeity",
    "hart failure",
    "teh triage",
]
SORTS = ["adopted", "assessed", "title"]
# Facets a filtered query cycles through (the database fallback supports only some of them,
# and says so on the page).
FILTER_FACETS = ["category", "care_setting", "esf_tier", "standard", "dtac", "region"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--products",
        type=int,
        default=100_000,
        help="N products the database should hold (a label, and a check; default 100000)",
    )
    parser.add_argument("--queries", type=int, default=240, help="size of the mix (>= 200)")
    parser.add_argument("--concurrency", default="1,8", help="levels, comma-separated")
    parser.add_argument(
        "--db-queries",
        type=int,
        default=0,
        help="measure the database fallback on only the first K queries of the mix "
        "(default: all of them); it can be slow on 100k products",
    )
    parser.add_argument("--skip-db", action="store_true", help="Elasticsearch only")
    parser.add_argument("--warmup", type=int, default=20, help="requests before measuring")
    parser.add_argument("--rebuild", action="store_true", help="search_index rebuild first")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", bench_index.DEFAULT_DATABASE_URL),
    )
    parser.add_argument(
        "--elasticsearch-url",
        default=os.environ.get("ELASTICSEARCH_URL") or bench_index.DEFAULT_ELASTICSEARCH_URL,
    )
    parser.add_argument(
        "--index-prefix",
        dest="prefix",
        default=os.environ.get("SEARCH_INDEX_PREFIX") or "registry-bench",
    )
    parser.add_argument(
        "--server",
        choices=("gunicorn", "django"),
        default="gunicorn",
        help="gunicorn, as in production (default), or Django's development server",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        args.levels = [int(part) for part in args.concurrency.split(",") if part.strip()]
    except ValueError:
        parser.error(f"--concurrency takes numbers such as 1,8, not {args.concurrency!r}")
    if not args.levels or min(args.levels) < 1:
        parser.error("--concurrency needs levels of 1 or more")
    if args.queries < 200 and args.serve is None:
        parser.error("--queries: the mix is at least 200 queries")
    return args


GUNICORN_THREADS = 4


def server_command(server, port):
    if server == "gunicorn":
        return [
            PYTHON,
            "-m",
            "gunicorn",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(os.cpu_count() or 1),
            "--threads",
            str(GUNICORN_THREADS),
            "config.wsgi",
        ]
    return [PYTHON, __file__, "--serve", str(port)]


def describe_server(server):
    if server == "gunicorn":
        return f"gunicorn, {os.cpu_count()} workers x {GUNICORN_THREADS} threads"
    return "Django ThreadedWSGIServer (development server)"


def serve(port):
    """The development server process: Django's threaded WSGI server, settings from the env."""
    import django
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    django.setup()
    run(HOST, port, get_wsgi_application(), ipv6=False, threading=True)


def start_server(env, name, server):
    port = free_port()
    process = subprocess.Popen(
        server_command(server, port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The {name} server exited ({process.returncode}) on start.")
        try:
            status, _, _ = get(port, "/search/?q=diabetes")
            if status == 200:
                return process, port
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"The {name} server did not answer within 60 s.")


def get(port, path):
    """One GET on a new connection: (status, seconds to the last byte, body)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - started, body
    finally:
        connection.close()


# --- The query mix -------------------------------------------------------------------------


def database_names(count):
    """Supplier names and product names, first by id: deterministic for a seeded database."""
    from registry.models import ProductPage

    suppliers, products = [], []
    rows = ProductPage.objects.live().order_by("pk").values_list("supplier__name", "title")
    for supplier, title in rows[: count * 20]:
        if supplier and supplier not in suppliers and len(suppliers) < count:
            suppliers.append(supplier)
        if title and title not in products and len(products) < count:
            products.append(title)
    # Buyers type a supplier's name, not its legal suffix; some type the whole name.
    short = [name.split()[0] for name in suppliers[::2]]
    return suppliers[1::2] + short, products


def build_mix(size):
    """[(label, query items)], the same for the same database on every run."""
    from search.results import facet_vocabulary

    vocabulary = facet_vocabulary(fresh=True)
    values = {name: sorted(vocabulary.get(name, {})) for name in FILTER_FACETS}
    suppliers, products = database_names(12)
    terms = []
    groups = [ACRONYMS, PLAIN, MISSPELLINGS, suppliers, products]
    for position in range(max(len(group) for group in groups)):
        terms += [group[position] for group in groups if position < len(group)]
    mix = []
    for number in range(size):
        items = []
        kinds = []
        if number % 25 == 24:
            # A filter-only search: browsing a category, no words.
            category = values["category"][number % len(values["category"])]
            items.append(("category", category))
            kinds.append("browse")
        else:
            items.append(("q", terms[number % len(terms)]))
        if number % 3 == 1:
            facet = FILTER_FACETS[(number // 3) % len(FILTER_FACETS)]
            if values[facet]:
                items.append((facet, values[facet][number % len(values[facet])]))
                kinds.append(facet)
        if number % 7 == 3:
            facet = FILTER_FACETS[(number // 7 + 2) % len(FILTER_FACETS)]
            if values[facet] and facet not in dict(items):
                items.append((facet, values[facet][(number // 7) % len(values[facet])]))
                kinds.append(facet)
        if number % 5 == 2:
            sort = SORTS[(number // 5) % len(SORTS)]
            items.append(("sort", sort))
            kinds.append(f"sort={sort}")
        mix.append((",".join(kinds), items))
    return mix


def describe_mix(mix):
    words = sum(1 for _, items in mix if dict(items).get("q"))
    filtered = sum(1 for _, items in mix if any(k not in ("q", "sort") for k, _ in items))
    sorted_ = sum(1 for _, items in mix if "sort" in dict(items))
    return (
        f"{len(mix)} queries ({words} with words, {filtered} with facet filters, "
        f"{sorted_} with a sort, {len(mix) - words} filter-only)"
    )


def path_for(items):
    return "/search/?" + urlencode(items)


# --- Measuring -----------------------------------------------------------------------------


def measure(port, paths, concurrency, degraded_expected):
    """GET every path once with `concurrency` threads; latencies in ms, and any surprises."""
    problems = []

    def one(path):
        status, seconds, body = get(port, path)
        degraded = DEGRADED_MARKER.encode() in body
        if status != 200:
            problems.append(f"HTTP {status} for {path}")
        elif degraded != degraded_expected:
            problems.append(f"{'database' if degraded else 'Elasticsearch'} answered {path}")
        return seconds * 1000

    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        started = time.perf_counter()
        latencies = list(pool.map(one, paths))
        wall = time.perf_counter() - started
    return latencies, wall, problems


def clear_request_cache(prefix):
    from search.client import get_client

    get_client().indices.clear_cache(index=f"{prefix}-*", request=True)


def summary(latencies):
    return {
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
    }


def line(label, stats, count, wall=None):
    rate = f", {count / wall:,.1f} req/s" if wall else ""
    return (
        f"  {label:<34} n={count:<4} p50 {stats['p50']:7.1f}  p95 {stats['p95']:7.1f}  "
        f"p99 {stats['p99']:7.1f}  max {stats['max']:7.1f} ms{rate}"
    )


def measure_took(mix, prefix):
    """The same searches through search.engine.elasticsearch_search in this process, with
    the `took` of every Elasticsearch request each makes. [(took first, took sum, calls)]."""
    from search import engine
    from search.params import SearchParams
    from search.results import clean_filters

    original = engine._call
    tooks = []
    clear_request_cache(prefix)

    def recording(operation, **kwargs):
        raw = original(operation, **kwargs)
        if operation in ("search", "msearch"):
            # A multi-search (the hits and the facet counts) reports the time of the whole.
            tooks.append(raw.get("took", 0))
        return raw

    engine._call = recording
    results = []
    try:
        for _, items in mix:
            data = {}
            for key, value in items:
                data.setdefault(key, []).append(value)
            params = SearchParams.from_request_data(data)
            params, vocabulary = clean_filters(params)
            tooks.clear()
            engine.elasticsearch_search(params, vocabulary)
            results.append((tooks[0], sum(tooks), len(tooks)))
    finally:
        engine._call = original
    return results


def verdict(met):
    return "met" if met else "NOT met"


def main():
    args = parse_args()
    if args.serve is not None:
        # The parent passes the whole environment, the database fallback's empty
        # ELASTICSEARCH_URL included: the defaults of the arguments must not replace it.
        return serve(args.serve)
    env = {**bench_index.environment(args), "DEBUG": "0", "ALLOWED_HOSTS": f"{HOST},localhost"}

    products = bench_index.product_count(env)
    database = args.database_url.rsplit("/", 1)[1]
    if products < args.products * 0.9:
        raise SystemExit(
            f"The database {database} holds {products:,} products, far fewer than the "
            f"{args.products:,} asked for. Seed it first (bench/search_index.py "
            f"--products {args.products} seeds it), or pass --products {products}."
        )
    if args.rebuild:
        print(f"Rebuilding the indices under {args.prefix}...", flush=True)
        started = time.perf_counter()
        bench_index.manage(env, "search_index", "rebuild", quiet=True)
        print(f"  rebuilt in {time.perf_counter() - started:.0f} s")

    bench_index.setup_django(env)
    from search.client import get_client
    from search.documents import alias_name

    alias = alias_name("product")
    if not get_client().indices.exists_alias(name=alias):
        raise SystemExit(f"No index behind {alias}: run with --rebuild.")
    indexed = get_client().count(index=alias)["count"]

    mix = build_mix(args.queries)
    paths = [path_for(items) for _, items in mix]
    db_count = min(args.db_queries or len(mix), len(mix))
    print(
        f"Database {database}: {products:,} products; index {alias}: {indexed:,} documents "
        f"(labelled {args.products:,})"
    )
    print(f"Mix: {describe_mix(mix)}; {args.warmup} warm-up requests per server")
    print(
        f"Servers: {describe_server(args.server)} on 127.0.0.1, DEBUG off, one new connection "
        f"per request; load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs"
    )
    if not args.skip_db and db_count < len(mix):
        print(
            f"NOTE: the database fallback is measured on the first {db_count} queries of the "
            f"mix only (--db-queries {db_count}); Elasticsearch on all {len(mix)}, and on "
            f"the same {db_count} for the ratio."
        )

    engines = [("elasticsearch", env, False)]
    if not args.skip_db:
        engines.append(("database", {**env, "ELASTICSEARCH_URL": ""}, True))
    results = {}
    for name, server_env, degraded in engines:
        process, port = start_server(server_env, name, args.server)
        try:
            engine_paths = paths if name == "elasticsearch" else paths[:db_count]
            measure(port, engine_paths[: args.warmup], min(4, max(args.levels)), degraded)
            for level in args.levels:
                # Facet counts are cached by Elasticsearch until the index changes: empty the
                # cache so every level counts afresh, warm-up and earlier levels included.
                clear_request_cache(args.prefix)
                latencies, wall, problems = measure(port, engine_paths, level, degraded)
                results[name, level] = (latencies, wall, problems)
                print(f"  ...{name} at concurrency {level}: {wall:.1f} s", flush=True)
        finally:
            stop_server(process)

    took = measure_took(mix, args.prefix)
    took_first = [first for first, _, _ in took]
    took_sum = [total for _, total, _ in took]
    extra = sum(1 for _, _, calls in took if calls > 1)

    print()
    print("Search page latency, GET /search/?q=... end to end (ms):")
    for level in args.levels:
        print(f" concurrency {level}:")
        for name, _, _ in engines:
            latencies, wall, problems = results[name, level]
            print(line(name, summary(latencies), len(latencies), wall))
            if name == "elasticsearch" and db_count < len(mix) and not args.skip_db:
                print(
                    line(
                        f"elasticsearch, first {db_count}", summary(latencies[:db_count]), db_count
                    )
                )
            for problem in problems[:5]:
                print(f"    ! {problem}")
            if len(problems) > 5:
                print(f"    ! ...and {len(problems) - 5} more")

    print()
    print(f"Elasticsearch `took` for the same {len(mix)} searches (ms, sequential):")
    print(line("took, first request", summary(took_first), len(took)))
    print(line("took, all requests of the search", summary(took_sum), len(took)))
    print(
        f"  ({extra} searches found few hits and made 3 requests: did-you-mean and a second "
        "pass, on the suggested words or typo-tolerant)"
    )
    for level in args.levels:
        page = summary(results["elasticsearch", level][0])
        for label, values in (("first request", took_first), ("all requests", took_sum)):
            stats = summary(values)
            print(
                f"  overhead at concurrency {level} (page - took, {label}): "
                f"p50 {page['p50'] - stats['p50']:.1f} ms, p95 {page['p95'] - stats['p95']:.1f} ms"
            )

    print()
    print("Targets (issues 3 and 14):")
    page_c1 = summary(results["elasticsearch", args.levels[0]][0])
    print(
        f"  search page p95 <= {TARGET_PAGE_P95_MS} ms at concurrency {args.levels[0]}: "
        f"{page_c1['p95']:.1f} ms, {verdict(page_c1['p95'] <= TARGET_PAGE_P95_MS)}"
    )
    if not args.skip_db:
        for level in args.levels:
            es = summary(results["elasticsearch", level][0][:db_count])
            db = summary(results["database", level][0])
            ratio = db["p95"] / es["p95"]
            print(
                f"  >= {TARGET_SPEEDUP}x faster than the database at p95, concurrency {level} "
                f"({db_count} queries): DB p95 / ES p95 = {db['p95']:.1f} / {es['p95']:.1f} = "
                f"{ratio:.1f}x, {verdict(ratio >= TARGET_SPEEDUP)}"
            )


if __name__ == "__main__":
    main()
