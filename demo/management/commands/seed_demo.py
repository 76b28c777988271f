"""Load realistic demo data: products with their proof, case studies and guides. Add N demo
products, with suppliers, NHS and care organisations in all seven regions, evidence,
standards compliance, adoptions, case studies and best-practice guides, all published.
The same --products, --seed and --today, on the same starting database, always give the
same data; dates are offsets back from --today (default: today), so some certificates
are always expired as of that date. On a database that already has products, new
products are added after them with fresh slugs, codes and suppliers, reusing the demo's
NHS organisations; pass --if-empty to do nothing instead. Pages are written in bulk (no
page_published signals): run `manage.py search_index rebuild` afterwards to fill
Elasticsearch (the database engine's words are rebuilt here)."""

import datetime
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from demo.formularies import seed_formularies
from demo.loader import DemoDataError, DemoLoader
from insight.snapshots import refresh_all
from registry.models import ProductPage


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date such as 2025-04-01, not {value!r}.") from exc


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=300, help="How many (default 300).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--today",
            type=iso_date,
            help="The reference date, YYYY-MM-DD, that all dates count back from "
            "(default: today's date).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the registry already has products.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Products written per transaction (default 1000).",
        )
        parser.add_argument(
            "--no-search-index",
            action="store_true",
            help="Skip adding the new pages to Wagtail's search index (admin search).",
        )

    def handle(self, *args, products, seed, today, if_empty, batch_size, **options):
        if products < 0:
            raise CommandError("--products cannot be negative.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        existing = ProductPage.objects.count()
        if if_empty and existing:
            self.stdout.write(
                f"The registry already has {existing:,} products; --if-empty was given, so "
                "no demo data was added."
            )
            return

        today = today or timezone.localdate()
        progress = tqdm(
            total=products,
            unit="product",
            desc="Seeding demo products",
            file=getattr(self.stderr, "_out", sys.stderr),
            disable=options["verbosity"] < 1,
            dynamic_ncols=True,
        )
        loader = DemoLoader(
            seed=seed,
            today=today,
            batch_size=batch_size,
            search_index=not options["no_search_index"],
            on_batch=progress.update,
        )
        started = time.perf_counter()
        try:
            with progress:
                counts = loader.load(products)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        counts["formularies"] = seed_formularies(seed, counts["products"])
        refresh_all()  # the insight dashboard shows the new data at once
        elapsed = time.perf_counter() - started
        # The database engine's words (the bulk writes sent no signals to mark them).
        call_command(
            "search_index",
            "rebuild-database",
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )

        rate = counts["products"] / elapsed if elapsed else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts['products']:,} products (seed {seed}, as of {today:%Y-%m-%d}), "
                f"{counts['case_studies']:,} case studies, {counts['guides']:,} guides, "
                f"{counts['suppliers']:,} suppliers, {counts['organisations']:,} new NHS and "
                f"care organisations, {counts['evidence']:,} evidence items, "
                f"{counts['compliance']:,} compliance rows ({counts['expired']:,} expired) and "
                f"{counts['adoptions']:,} adoptions and {counts['formularies']:,} local "
                f"formularies in {elapsed:.1f}s ({rate:,.0f} products/s)."
            )
        )
