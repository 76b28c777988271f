#!/usr/bin/env python
"""Time `manage.py seed_demo` at several sizes against the database in DATABASE_URL.

    source /var/lib/registry-services/services.env   # or any DATABASE_URL
    .venv/bin/python bench/seed.py                    # 10,000 then 100,000 products
    .venv/bin/python bench/seed.py --sizes 1000,10000 --reset

Each size starts from a freshly migrated, empty database, so the script empties the
database between sizes, and refuses to start on one that already holds data (products,
organisations or users) unless --reset is given. It prints, per size, the wall time,
products per second, the seeding process's peak resident memory and CPU time, and the
machine's load average, which says how much the numbers were shared with other work.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def parse_sizes(text):
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"sizes are whole numbers, not {text!r}") from exc
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("give at least one size of 1 or more")
    return sizes


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--reset",
        action="store_true",
        help="Empty the database first even if it holds data. Everything in it is lost.",
    )
    parser.add_argument(
        "--no-search-index",
        action="store_true",
        help="Pass --no-search-index to seed_demo (skip Wagtail's admin search index).",
    )
    return parser.parse_args()


def setup_django():
    if not os.environ.get("DATABASE_URL"):
        sys.exit(
            "Set DATABASE_URL to the database to measure, for example "
            "`source /var/lib/registry-services/services.env`. The bench empties it."
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if os.environ["DJANGO_SETTINGS_MODULE"].endswith("production"):
        sys.exit("Refusing to run against production settings.")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def describe_database():
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            (version,) = cursor.fetchone()
        return f"PostgreSQL {version} at {settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    return f"{connection.vendor} {settings['NAME']}"


def existing_data():
    """What the database already holds, as {description: count}; empty if nothing."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from registry.models import Organisation, ProductPage

    tables = set(connection.introspection.table_names())
    counts = {}
    for label, model in (
        ("products", ProductPage),
        ("organisations", Organisation),
        ("users", get_user_model()),
    ):
        if model._meta.db_table in tables:
            counts[label] = model.objects.count()
    connection.close()
    return {label: count for label, count in counts.items() if count}


def reset_database():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    elif connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        connection.close()
        Path(name).unlink(missing_ok=True)
    else:
        sys.exit(f"Resetting a {connection.vendor} database is not supported.")
    connection.close()
    subprocess.run([*MANAGE, "migrate", "--no-input", "-v", "0"], check=True)


def run_seed(size, args, env):
    command = [
        *MANAGE,
        "seed_demo",
        "--products",
        str(size),
        "--seed",
        str(args.seed),
        "--batch-size",
        str(args.batch_size),
    ]
    if args.no_search_index:
        command.append("--no-search-index")
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    # wait4 gives this child's own resource use, peak memory included.
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode:
        sys.exit(f"seed_demo failed with exit code {process.returncode}.")
    return elapsed, usage, output.strip()


def main():
    args = arguments()
    setup_django()
    print(f"Database: {describe_database()}")
    found = existing_data()
    if found and not args.reset:
        held = ", ".join(f"{count:,} {label}" for label, count in found.items())
        sys.exit(
            f"The database already holds data ({held}). The bench empties the database it "
            "measures: point DATABASE_URL at a scratch database, or pass --reset."
        )

    env = {**os.environ, "DEBUG": "0"}  # with DEBUG on, Django keeps every query in memory
    results = []
    for size in args.sizes:
        print(f"\n== {size:,} products: emptying and migrating the database", flush=True)
        reset_database()
        load_before = os.getloadavg()[0]
        elapsed, usage, output = run_seed(size, args, env)
        load_after = os.getloadavg()[0]
        # The command's own timing leaves out Python and Django start-up.
        reported = re.search(r" in ([\d.]+)s \(", output)
        seeding = float(reported.group(1)) if reported else elapsed
        rate = size / seeding
        peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
        print(output)
        print(
            f"{size:,} products: seeded in {seeding:,.1f} s ({rate:,.0f} products/s); "
            f"process {elapsed:,.1f} s wall, peak RSS {peak_mb:,.0f} MB, CPU "
            f"{usage.ru_utime:,.1f} s user + {usage.ru_stime:,.1f} s system; load average "
            f"{load_before:.1f} -> {load_after:.1f} on {os.cpu_count()} CPUs",
            flush=True,
        )
        results.append((size, seeding, rate, peak_mb))

    print("\n     size  seeding (s)  products/s  peak RSS (MB)")
    for size, elapsed, rate, peak_mb in results:
        print(f"{size:>9,}  {elapsed:>11,.1f}  {rate:>10,.0f}  {peak_mb:>13,.0f}")


if __name__ == "__main__":
    main()
