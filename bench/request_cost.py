#!/usr/bin/env python
"""What one request of each kind `bench/load.py` makes costs the site: database queries and
CPU milliseconds in the process that serves it, measured one request at a time.

    .venv/bin/python bench/request_cost.py --database-url postgres://.../reg_bench \\
        --index-prefix bench [--repeat 20] [--only signed-in]

A load run on a shared machine is noisy (other work takes the same cores); the cost of a
request is not. This runs the site in this process with the production settings (the page
cache on, as `bench/load.py` runs it) through Django's test client, against the seeded bench
database and its search index, and for each kind of request the load bench makes (its
anonymous and signed-in journeys, the same skewed choice of products) prints the mean number
of queries and the mean and 95th percentile CPU time of this thread (the time PostgreSQL and
Elasticsearch spend is theirs, not counted). Each kind is asked once before measuring, so
the figures are for a warm worker; anonymous pages the page cache can serve are then hits,
as most are under load.

It writes what the load bench writes: a signed-in buyer (bench-buyer-0) and its session, an
API key, the page cache's entries and the searches people made.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from urllib.parse import urlparse

from benchkit import percentile, setup_django
from load import SECRET_KEY, Journeys, catalogue

# The kind of each address the journeys visit, in the order the report lists them.
KINDS = [
    ("api-search", "/api/v1/search"),
    ("api-autocomplete", "/api/v1/autocomplete"),
    ("compare", "/compare/"),
    ("search", "/search/"),
    ("feed", "/feeds/"),
    ("shortlist", "/shortlist/"),
    ("listing", "/products/"),
    ("case-studies", "/case-studies/"),
    ("guides", "/guides/"),
]


def kind_of(path):
    if path == "/":
        return "home"
    for kind, prefix in KINDS:
        if path.startswith(prefix) and (kind != "listing" or path == prefix):
            return kind
    return "product"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="the seeded bench database")
    parser.add_argument("--index-prefix", required=True, help="its search indices' prefix")
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", ""))
    parser.add_argument("--repeat", type=int, default=20, help="requests of each kind")
    parser.add_argument("--only", choices=["anonymous", "signed-in"], help="one side only")
    parser.add_argument("--show-queries", action="store_true", help="print each kind's SQL")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if urlparse(args.database_url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("the bench runs on loopback only: --database-url must be on 127.0.0.1")
    return args


def signed_in_session():
    """A signed-in buyer's session key and an API key, made as bench/load.py makes them."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from api.models import ApiKey

    ApiKey.objects.filter(name="bench-cost").delete()
    key = ApiKey(name="bench-cost", contact_email="bench@example.nhs.uk")
    raw_key = key.issue()
    key.save()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-buyer-0", defaults={"email": "bench-buyer-0@example.nhs.uk"}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key, raw_key


def measure(client, path, api_key):
    """(queries, CPU ms, status, the SQL) of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"X-API-Key": api_key} if path.startswith("/api/") else {}
    with CaptureQueriesContext(connection) as queries:
        started = time.thread_time()
        response = client.get(path, headers=headers)
        if response.streaming:
            b"".join(response.streaming_content)
        cpu_ms = (time.thread_time() - started) * 1000
    return len(queries), cpu_ms, response.status_code, [query["sql"] for query in queries]


def paths_by_kind(journeys, make_journey, repeat):
    """`repeat` addresses of each kind the journeys visit (products skewed as in the bench)."""
    found = defaultdict(list)
    for _ in range(repeat * 200):
        for path in make_journey()[1]:
            kind = kind_of(path)
            if len(found[kind]) < repeat + 1:
                found[kind].append(path)
        if len(found) and all(len(paths) > repeat for paths in found.values()):
            break
    return found


def report(side, costs, show_queries):
    print(f"\n== {side}")
    columns = ("requests", "queries", "max q", "CPU ms", "p95 CPU")
    print(f"{'kind':<17}" + "".join(f"{c:>9}" for c in columns) + "  statuses")
    for kind in sorted(costs):
        rows = costs[kind]
        queries = [row[0] for row in rows]
        cpu = [row[1] for row in rows]
        statuses = sorted({row[2] for row in rows})
        print(
            f"{kind:<17}{len(rows):>9}{statistics.mean(queries):>9.1f}{max(queries):>9}"
            f"{statistics.mean(cpu):>9.1f}{percentile(cpu, 0.95):>9.1f}  {statuses}"
        )
    if show_queries:
        for kind in sorted(costs):
            print(f"\n-- {side} {kind}: the queries of its last request")
            for sql in costs[kind][-1][3]:
                print("  ", sql[:300])


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="registry-cost-") as static_root:
        run(args, static_root)


def run(args, static_root):
    setup_django(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "DATABASE_URL": args.database_url,
            "ELASTICSEARCH_URL": args.elasticsearch_url,
            "SEARCH_INDEX_PREFIX": args.index_prefix,
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": static_root,
            "LOG_LEVEL": "WARNING",
        }
    )
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("createcachetable")
    products, slugs, categories = catalogue(args.database_url)
    session_key, api_key = signed_in_session()
    rng = random.Random(args.seed)
    journeys = Journeys(products, slugs, categories, rng)
    sides = [
        ("anonymous", journeys.anonymous, None),
        ("signed-in", journeys.signed_in, session_key),
    ]
    for side, make_journey, session in sides:
        if args.only and args.only != side:
            continue
        client = Client()
        if session:
            client.cookies["sessionid"] = session
        costs = defaultdict(list)
        for kind, paths in paths_by_kind(journeys, make_journey, args.repeat).items():
            measure(client, paths[0], api_key)  # warm: imports, templates, the page cache
            for path in paths[1:]:
                costs[kind].append(measure(client, path, api_key))
        report(side, costs, args.show_queries)
    print(f"\nload average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())
