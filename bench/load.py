#!/usr/bin/env python
"""Load test: mixed anonymous and signed-in journeys against the site as production runs it.

    .venv/bin/python bench/load.py --database-url postgres://.../reg_bench \\
        --index-prefix bench [--users 10,50] [--duration 30] [--workers 2] [--threads 8] \\
        [--page-cache-seconds 600]

What it does, on loopback only, stopping by itself:

1. Collects static with the production settings into a temporary folder and starts gunicorn
   (`config.wsgi`, production settings, --workers and --threads) on a free 127.0.0.1 port,
   against --database-url (seeded: `bench/seed.py`, e.g. 20,000 products) and Elasticsearch
   under --index-prefix (`manage.py search_index rebuild` first). `--page-cache-seconds 0`
   turns the anonymous page cache off (the "before" figure).
2. Creates signed-in buyers (bench-buyer-N) and their sessions directly in the database, so
   sign-in throttling does not get in the way of measuring pages; and one API key per user
   (named bench-load-N, made as the admin makes them; the previous run's are deleted).
   Every user runs on 127.0.0.1, so without keys the API's per-address anonymous limit
   (API_RATE_LIMIT_ANONYMOUS a minute) refuses most API calls with 429, which measures the
   limit, not the site. A real load comes from many addresses, and the services that call
   the API in bulk carry keys (API_RATE_LIMIT_WITH_KEY), so each user's API calls carry its
   own key. Spreading users over X-Forwarded-For addresses is not an option: the production
   settings trust that header only with TRUSTED_PROXY_COUNT set, and the bench does not set it.
   The limits themselves are unchanged.
3. For each level in --users, runs that many users for --duration seconds. Each user is a
   thread with its own cookies that repeats journeys picked by weight: anonymous browsing
   (home, listing, product page, case studies), search with filters, compare, feeds, the API,
   and, for a quarter of the users, signed-in browsing (home, product page, shortlist).
   Products are picked with a skew (a few are popular, most are not), as on a real catalogue.
4. Prints requests/s, p50/p95/p99 and errors per journey and overall, and the load average
   (other work on the machine shares its two cores), then stops gunicorn.

Target (issue 12) on this 2-core machine at 50 users: 0 errors, p95 <= 500 ms, >= 100
requests/s overall. Nothing is asserted; it prints figures and the target.
"""

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlparse

import psycopg
import requests
from benchkit import HOST, PYTHON, ROOT, free_port, percentile, stop_server

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SECRET_KEY = "bench-load-" + "x" * 50
TARGET = {"p95_ms": 500, "rps": 100, "errors": 0}
SEARCH_TERMS = ["diabetes", "EPR", "A&E", "mental health", "remote monitoring", "COPD", "MSK"]
REQUEST_TIMEOUT = 30


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="the seeded bench database")
    parser.add_argument("--index-prefix", required=True, help="its search indices' prefix")
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", ""))
    parser.add_argument("--users", default="10,50", help="levels, comma-separated")
    parser.add_argument("--duration", type=float, default=30, help="seconds per level")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before each level")
    parser.add_argument("--workers", type=int, default=2)
    # 8 threads a worker on 2 cores, as docs/operations.md runs it: a page from the cache (one
    # query) is not kept waiting behind a few slow renders, and the slow ones are not starved
    # (16 gave a worse p95 at 50 users on a quiet machine; 32 starved them into timeouts).
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--page-cache-seconds", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if urlparse(args.database_url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("the bench runs on loopback only: --database-url must be on 127.0.0.1")
    return args


def server_env(args, static_root):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS=f"{HOST},localhost",
        DATABASE_URL=args.database_url,
        ELASTICSEARCH_URL=args.elasticsearch_url,
        SEARCH_INDEX_PREFIX=args.index_prefix,
        STATIC_ROOT=str(static_root),
        SECURE_SSL_REDIRECT="false",
        PAGE_CACHE_SECONDS=str(args.page_cache_seconds),
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *command):
    done = subprocess.run(
        [PYTHON, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


SESSIONS_SCRIPT = """
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from api.models import ApiKey
User = get_user_model()
ApiKey.objects.filter(name__startswith="bench-load-").delete()
for n in range({keys}):
    key = ApiKey(name=f"bench-load-{{n}}", contact_email="bench@example.nhs.uk")
    raw_key = key.issue(); key.save()
    print("APIKEY", raw_key)
for n in range({count}):
    user, _ = User.objects.get_or_create(
        username=f"bench-buyer-{{n}}", defaults={{"email": f"bench-buyer-{{n}}@example.nhs.uk"}}
    )
    user.set_password("bench-only-password"); user.save()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print("SESSION", session.session_key)
"""


def sessions_and_keys(env, sessions, keys):
    """Signed-in sessions for the buyers, and API keys for the API's callers (issued as the
    admin issues them, in the bench database)."""
    out = manage(env, "shell", "-c", SESSIONS_SCRIPT.format(count=sessions, keys=keys))
    lines = [line.split() for line in out.splitlines()]
    return (
        [words[1] for words in lines if words[:1] == ["SESSION"]],
        [words[1] for words in lines if words[:1] == ["APIKEY"]],
    )


def catalogue(database_url):
    with psycopg.connect(database_url) as db:
        products = [
            row[0]
            for row in db.execute(
                "SELECT p.url_path FROM wagtailcore_page p "
                "JOIN registry_productpage r ON r.page_ptr_id = p.id "
                "WHERE p.live ORDER BY p.id LIMIT 2000"
            )
        ]
        categories = [row[0] for row in db.execute("SELECT slug FROM registry_category")]
        slugs = [path.rstrip("/").rsplit("/", 1)[-1] for path in products]
    if not products:
        sys.exit("The bench database holds no products: seed it with bench/seed.py first.")
    # url_path starts at the site's root page (/home/...): the public path drops that part.
    paths = ["/" + path.strip("/").split("/", 1)[1] + "/" for path in products]
    return paths, slugs, categories


class Journeys:
    """What a user does, one journey at a time. Each journey is a list of (name, path)."""

    def __init__(self, products, slugs, categories, rng):
        self.products, self.slugs, self.categories, self.rng = products, slugs, categories, rng

    def product(self):
        # Skewed: the first products are the popular ones.
        index = min(int(self.rng.paretovariate(1.2)) - 1, len(self.products) - 1)
        return self.products[index]

    def anonymous(self):
        rng = self.rng
        kind = rng.choices(
            ["browse", "search", "compare", "feeds", "api"], weights=[40, 20, 10, 10, 20]
        )[0]
        if kind == "browse":
            return kind, [
                "/",
                "/products/",
                self.product(),
                rng.choice(["/case-studies/", "/guides/", self.product()]),
            ]
        if kind == "search":
            query = {"q": rng.choice(SEARCH_TERMS)}
            if rng.random() < 0.6:
                query["category"] = rng.choice(self.categories)
            return kind, [f"/search/?{urlencode(query)}", self.product()]
        if kind == "compare":
            chosen = ",".join(rng.sample(self.slugs[:200], 2))
            return kind, [f"/compare/?products={chosen}"]
        if kind == "feeds":
            return kind, [
                "/feeds/products/",
                f"/feeds/categories/{rng.choice(self.categories)}/",
            ]
        return kind, [
            f"/api/v1/search?{urlencode({'q': rng.choice(SEARCH_TERMS)})}",
            f"/api/v1/autocomplete?q={rng.choice(SEARCH_TERMS)[:3]}",
        ]

    def signed_in(self):
        return "signed-in", ["/", self.product(), "/shortlist/", "/products/"]


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.errors = defaultdict(int)
        self.samples = defaultdict(list)
        self.page_cache = defaultdict(int)  # X-Page-Cache: hit, miss, or "" (not cacheable)

    def record(self, journey, seconds, error=None, page_cache=""):
        with self.lock:
            self.latency[journey].append(seconds)
            self.page_cache[page_cache] += 1
            if error:
                self.errors[journey] += 1
                if len(self.samples[journey]) < 3:
                    self.samples[journey].append(error)


def user_loop(base, journeys, session_key, api_key, stop_at, results, measure_from):
    http = requests.Session()  # one kept-alive connection per user
    if session_key:
        http.cookies.set("sessionid", session_key, domain=HOST)
    while time.monotonic() < stop_at:
        name, paths = journeys.signed_in() if session_key else journeys.anonymous()
        for path in paths:
            if time.monotonic() >= stop_at:
                return
            started = time.monotonic()
            error = None
            page_cache = ""
            try:
                response = http.get(
                    base + path,
                    timeout=REQUEST_TIMEOUT,
                    allow_redirects=False,
                    headers={"X-API-Key": api_key} if path.startswith("/api/") else None,
                )
                page_cache = response.headers.get("X-Page-Cache", "")
                if response.status_code >= 400:
                    error = f"{response.status_code} {path}"
            except requests.RequestException as exc:
                error = f"{type(exc).__name__} {path}"
            if started >= measure_from:
                results.record(name, time.monotonic() - started, error, page_cache)


def run_level(base, users, args, catalogue_data, sessions, api_keys):
    products, slugs, categories = catalogue_data
    results = Results()
    results.client_cpu_at_start = client_cpu_seconds()
    now = time.monotonic()
    measure_from = now + args.warmup
    stop_at = measure_from + args.duration
    threads = []
    signed_in = max(1, users // 4)
    for n in range(users):
        journeys = Journeys(products, slugs, categories, random.Random(args.seed * 1000 + n))
        session = sessions[n % len(sessions)] if n < signed_in else None
        thread = threading.Thread(
            target=user_loop,
            args=(base, journeys, session, api_keys[n], stop_at, results, measure_from),
            daemon=True,
        )
        threads.append(thread)
        thread.start()
    for thread in threads:
        thread.join(timeout=args.warmup + args.duration + REQUEST_TIMEOUT + 5)
    results.client_cpu = client_cpu_seconds() - results.client_cpu_at_start
    return results


def client_cpu_seconds():
    """CPU this process (the bench's own users) has used: it shares the cores with the site."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def report(users, results, duration):
    print(f"\n== {users} users, {duration:.0f} s measured (load average {load_average()})")
    columns = ("requests", "req/s", "p50 ms", "p95 ms", "p99 ms")
    print(f"{'journey':<12}" + "".join(f"{c:>9}" for c in columns) + f"{'errors':>8}")
    everything = []
    total_errors = 0
    for journey in sorted(results.latency):
        values = results.latency[journey]
        everything += values
        total_errors += results.errors[journey]
        print(
            f"{journey:<12}{len(values):>9}{len(values) / duration:>9.1f}"
            f"{percentile(values, 0.50) * 1000:>9.0f}{percentile(values, 0.95) * 1000:>9.0f}"
            f"{percentile(values, 0.99) * 1000:>9.0f}{results.errors[journey]:>8}"
        )
    rps = len(everything) / duration
    p95 = percentile(everything, 0.95) * 1000
    print(
        f"{'overall':<12}{len(everything):>9}{rps:>9.1f}"
        f"{percentile(everything, 0.50) * 1000:>9.0f}{p95:>9.0f}"
        f"{percentile(everything, 0.99) * 1000:>9.0f}{total_errors:>8}"
    )
    if everything:
        counts = results.page_cache
        print(
            f"mean {statistics.mean(everything) * 1000:.0f} ms; page cache: {counts['hit']} hits, "
            f"{counts['miss']} misses, {counts['']} not cacheable; the bench's own users used "
            f"{results.client_cpu:.1f} s of CPU (warm-up included)"
        )
    for journey, samples in results.samples.items():
        print(f"  {journey} errors, e.g.: {'; '.join(samples)}")
    met = total_errors == 0 and p95 <= TARGET["p95_ms"] and rps >= TARGET["rps"]
    print(
        f"target at 50 users: 0 errors, p95 <= {TARGET['p95_ms']} ms, >= {TARGET['rps']} req/s"
        f" -> {'met' if met else 'not met'} at {users} users"
    )


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main():
    args = parse_args()
    levels = [int(level) for level in args.users.split(",") if level.strip()]
    with tempfile.TemporaryDirectory(prefix="registry-load-") as scratch:
        env = server_env(args, Path(scratch) / "static")
        print(f"load average before: {load_average()}")
        print("collecting static with the production settings...")
        manage(env, "collectstatic", "--noinput")
        manage(env, "createcachetable")
        sessions, api_keys = sessions_and_keys(env, max(levels) // 4 or 1, max(levels))
        catalogue_data = catalogue(args.database_url)
        print(
            f"{len(catalogue_data[0])} products to visit, {len(sessions)} signed-in buyers, "
            f"{len(api_keys)} API keys"
        )
        port = free_port()
        base = f"http://{HOST}:{port}"
        log = open(Path(scratch) / "gunicorn.log", "w")  # noqa: SIM115
        server = subprocess.Popen(
            [
                GUNICORN, "config.wsgi", "--bind", f"{HOST}:{port}",
                "--workers", str(args.workers), "--threads", str(args.threads),
                "--timeout", "60",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(base + "/health/", timeout=5).status_code < 500:
                        break
                except requests.RequestException:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    sys.exit(
                        "gunicorn did not start:\n"
                        + (Path(scratch) / "gunicorn.log").read_text()[-3000:]
                    )
                time.sleep(0.5)
            print(
                f"gunicorn on {base}: {args.workers} workers x {args.threads} threads, "
                f"page cache {args.page_cache_seconds or 'off'}"
                f"{' s' if args.page_cache_seconds else ''}, search "
                f"{'Elasticsearch' if args.elasticsearch_url else 'database'}"
            )
            for users in levels:
                results = run_level(base, users, args, catalogue_data, sessions, api_keys)
                report(users, results, args.duration)
        finally:
            stop_server(server, timeout=20)
            log.close()


if __name__ == "__main__":
    main()
