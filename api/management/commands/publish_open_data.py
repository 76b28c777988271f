"""Publish today's open data: the catalogue in the import format and CSV tables with a
Frictionless datapackage.json, zipped and dated in OPEN_DATA_ROOT, keeping the newest
OPEN_DATA_KEEP. Run daily; running twice in a day replaces that day's file."""

from django.core.management.base import BaseCommand

from api import opendata


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--to", help="Directory to write to (default OPEN_DATA_ROOT).")
        parser.add_argument("--keep", type=int, help="How many dated files to keep.")

    def handle(self, *args, to=None, keep=None, **options):
        publication = opendata.publish(destination=to, keep=keep)
        counts = ", ".join(f"{count:,} {name}" for name, count in publication.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {publication.path} ({publication.size:,} bytes, sha256 "
                f"{publication.sha256}): {counts}."
            )
        )
