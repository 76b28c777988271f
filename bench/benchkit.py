"""What the benches share: the project's paths, running `manage.py` and Python in a child
process, the bench database, a free port, stopping a server, memory and percentiles.

Run as `python bench/NAME.py`, this folder comes first on sys.path, so a bench imports this
module as `benchkit` (a name no app of the project has).
"""

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"


def seeding_parser(doc, database_url, products=100_000):
    """The arguments of a bench that seeds its own database: --products N, --database-url,
    --seed. The description is the first paragraph of the bench's docstring."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=products, help=f"N (default {products})")
    parser.add_argument("--database-url", default=database_url)
    parser.add_argument("--seed", type=int, default=1)
    return parser


def environment(database_url, elasticsearch_url="", **settings):
    """A child process's environment: the bench database, the base settings (DEBUG off, so no
    query log grows in memory) and warnings only; ELASTICSEARCH_URL empty queues nothing."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database_url,
        "ELASTICSEARCH_URL": elasticsearch_url,
        "LOG_LEVEL": "WARNING",
        **settings,
    }


def manage(env, *command, quiet=False):
    """`manage.py COMMAND` in a child process; a failure stops the bench."""
    subprocess.run(
        [PYTHON, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def last_line(env, *command):
    """The last line a child `python COMMAND` prints (its result: earlier lines are logs)."""
    out = subprocess.run(
        [PYTHON, *command], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return out.strip().splitlines()[-1]


def last_json(env, *command):
    return json.loads(last_line(env, *command))


def product_count(env):
    return int(
        last_line(
            env,
            "manage.py",
            "shell",
            "-c",
            "from registry.models import ProductPage; print(ProductPage.objects.count())",
        )
    )


def ensure_database(database_url):
    """Create the bench's own database if it is missing (never development's or the tests')."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            db.execute(f'CREATE DATABASE "{name}"')


def setup_django(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def rss_mb():
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def stop_server(process, timeout=10):
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def percentile(values, fraction):
    """The nearest-rank percentile (0.0 for no values)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]
